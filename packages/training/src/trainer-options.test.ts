import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { Trainer } from './trainer.js';

describe('Trainer options', () => {
  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['maxEpochs', { maxEpochs: -1 }, /maxEpochs: received -1.*an integer >= 1, or Infinity for no limit/],
    ['maxEpochs', { maxEpochs: 1.5 }, /maxEpochs: received 1.5/],
    ['accumulateGradBatches', { accumulateGradBatches: 0 }, /accumulateGradBatches: received 0.*an integer >= 1/],
    ['numSanityValSteps', { numSanityValSteps: -2 }, /numSanityValSteps: received -2/],
    ['enableProgressBar', { enableProgressBar: 'yes' }, /enableProgressBar: received "yes".*true or false/],
    ['strategy', { strategy: 42 }, /strategy: received 42/],
    ['unknown key', { max_epochs: 3 }, /Unknown Trainer option "max_epochs".*maxEpochs/],
  ];
  for (const [name, options, message] of invalid) {
    it(`rejects an invalid ${name} at construction, naming it`, () => {
      assert.throws(() => new Trainer(options), (e: unknown) => {
        assert.ok(e instanceof StrataError);
        assert.equal(e.kind, 'invalid-option');
        assert.match(e.message, message);
        return true;
      });
    });
  }

  it('fills Lightning-like defaults', () => {
    const t = new Trainer();
    assert.equal(t.options.maxEpochs, 1000);
    assert.equal(t.options.numSanityValSteps, 2);
    assert.equal(t.options.accumulateGradBatches, 1);
  });
});

describe('Trainer options: Lightning flags', () => {
  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['limitTrainBatches', { limitTrainBatches: 1.5 }, /limitTrainBatches: received 1.5.*fraction in \(0, 1\)/],
    ['limitValBatches', { limitValBatches: '150%' }, /limitValBatches: received "150%"/],
    ['valCheckInterval', { valCheckInterval: 0 }, /valCheckInterval: received 0/],
    ['gradientClipVal', { gradientClipVal: -1 }, /gradientClipVal: received -1/],
    ['gradientClipAlgorithm', { gradientClipAlgorithm: 'l2' }, /gradientClipAlgorithm: received "l2".*'norm' or 'value'/],
    ['precision', { precision: '8-mixed' }, /precision: received "8-mixed".*"16-mixed"/],
    ['accumulateGradBatches schedule', { accumulateGradBatches: { 0: 0 } }, /accumulateGradBatches/],
    ['minEpochs > maxEpochs', { minEpochs: 5, maxEpochs: 2 }, /minEpochs: received 5.*at most maxEpochs/],
    ['fastDevRun', { fastDevRun: 'yes' }, /fastDevRun/],
    ['logger', { logger: 3 }, /logger: received 3/],
    ['deterministic without a seed', { deterministic: true }, /deterministic: received true.*seedEverything/],
  ];
  for (const [name, options, message] of invalid) {
    it(`rejects ${name}`, () => {
      assert.throws(() => new Trainer(options), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option' && message.test(e.message));
    });
  }

  it('accepts Lightning aliases and resolves debugging flags', () => {
    assert.equal(new Trainer({ precision: 16 }).options.precision, '16-mixed');
    assert.equal(new Trainer({ precision: 'bf16' }).options.precision, 'bf16-mixed');
    assert.equal(new Trainer({ maxSteps: 10 }).options.maxEpochs, Infinity);
    const dev = new Trainer({ fastDevRun: true, maxEpochs: 9, defaultRootDir: '/tmp/x' }).options;
    assert.deepEqual([dev.maxEpochs, dev.maxSteps, dev.numSanityValSteps, dev.logger, dev.enableCheckpointing], [1, 1, 0, false, false]);
    const limits = new Trainer({ limitTrainBatches: 0.25, limitValBatches: 3, limitTestBatches: '10%' }).options;
    assert.deepEqual([limits.limitTrainBatches, limits.limitValBatches, limits.limitTestBatches], [
      { kind: 'fraction', value: 0.25 },
      { kind: 'count', value: 3 },
      { kind: 'fraction', value: 0.1 },
    ]);
    assert.throws(() => new Trainer({ max_steps: 3 } as never), /Fix: write maxSteps \(camelCase\)/);
  });
});
