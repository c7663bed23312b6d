import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import '@strata/strategies';
import { StrataError, createStrataContainer, registeredStrategies } from '@strata/core';
import { parseSettings } from './settings.js';
import { chooseStrategy } from './strategy-choice.js';

/** The registered strategies other than cpu whose capabilities() pass `test`, quoted as messages quote them. */
async function othersThat(test: (c: ReturnType<ReturnType<typeof registeredStrategies>[number]['capabilities']>) => boolean, devices?: number): Promise<string[]> {
  const all = registeredStrategies(await createStrataContainer({ devices }));
  return all.filter((s) => s.name !== 'cpu' && test(s.capabilities())).map((s) => `'${s.name}'`);
}

const env = {};

describe('strategy choice', () => {
  it('an explicit --precision 16 on cpu fails at once, naming the strategies that have it', async () => {
    const able = await othersThat((c) => c.precisions.includes('16-mixed'));
    assert.ok(able.includes("'tpu'"), `the XLA strategies declare 16-bit: ${able}`);
    await assert.rejects(chooseStrategy(parseSettings(['--strategy', 'cpu', '--precision', '16']), env), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'unsupported-precision', String(e));
      assert.match(e.message, /Strategy 'cpu' cannot train in precision "16-mixed": its capabilities declare "32"/);
      assert.match(e.message, new RegExp(`--strategy ${able.join(' or ')} for precision "16-mixed", or --precision 32 on 'cpu'`));
      return true;
    });
  });

  it('--preset seed falls back to 32-bit on cpu, with one line saying so', async () => {
    const able = await othersThat((c) => c.precisions.includes('16-mixed'));
    const choice = await chooseStrategy(parseSettings(['--preset', 'seed', '--strategy', 'cpu']), env);
    assert.equal(choice.strategy.name, 'cpu');
    assert.equal(choice.precision, '32');
    assert.equal(choice.notes.length, 1);
    assert.match(choice.notes[0], /^--preset seed: precision "16-mixed" is not among the 'cpu' strategy's precisions \(32\), so it trains in "32" \(registered strategies with it: (.*)\)\.$/);
    assert.ok(choice.notes[0].includes(able.join(', ')), choice.notes[0]);
  });

  it('the preset keeps 32-bit runs as they are, and an explicit --precision 32 overrides it', async () => {
    const choice = await chooseStrategy(parseSettings(['--preset', 'seed', '--strategy', 'cpu', '--precision', '32']), env);
    assert.equal(choice.precision, '32');
    assert.deepEqual(choice.notes, []);
  });

  it('more devices than the strategy has fails at once, naming the strategies whose capabilities allow them', async () => {
    const able = await othersThat((c) => c.maxReplicas >= 2, 2);
    assert.ok(able.includes("'tpu'"), String(able));
    await assert.rejects(chooseStrategy(parseSettings(['--strategy', 'cpu', '--devices', '2']), env), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'unsupported-option', String(e));
      assert.match(e.message, /Strategy 'cpu' trains on at most 1 device\(s\); --devices 2 asks for 2\./);
      assert.match(e.message, new RegExp(`use --devices 1 or less on 'cpu', or --strategy ${able.join(' or ')}, whose capabilities allow 2 devices`));
      return true;
    });
  });
});
