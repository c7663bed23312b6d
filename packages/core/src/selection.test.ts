import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from './errors.js';
import { selectStrategy } from './selection.js';
import type { Availability, DistributionStrategy } from './strategy.js';

function fake(name: string, priority: number, availability: Availability): DistributionStrategy {
  return { name, priority, isAvailable: async () => availability } as unknown as DistributionStrategy;
}
const up: Availability = { available: true, engine: 'x' };
const down: Availability = { available: false, reason: 'no device', remedy: 'install one' };

describe('selectStrategy', () => {
  const registered = [fake('cpu', 10, up), fake('cuda', 90, down), fake('wasm', 20, up)];

  it('takes an explicit name before the environment', async () => {
    const s = await selectStrategy(registered, 'cpu', { STRATA_STRATEGY: 'wasm' });
    assert.equal(s.strategy.name, 'cpu');
    assert.equal(s.source, 'explicit');
  });

  it('takes STRATA_STRATEGY when code names none', async () => {
    const s = await selectStrategy(registered, undefined, { STRATA_STRATEGY: 'wasm' });
    assert.equal(s.strategy.name, 'wasm');
    assert.equal(s.source, 'environment');
  });

  it("picks the highest-priority available strategy for 'auto' and says what it skipped", async () => {
    const s = await selectStrategy(registered, 'auto', {});
    assert.equal(s.strategy.name, 'wasm');
    assert.deepEqual(s.skipped.map((x) => x.name), ['cuda']);
  });

  it('lists the registered names for an unknown strategy', async () => {
    await assert.rejects(selectStrategy(registered, 'nosuch', {}), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.equal(e.kind, 'unknown-strategy');
      assert.match(e.message, /"nosuch"/);
      assert.match(e.message, /"cpu", "cuda", "wasm"/);
      return true;
    });
  });

  it('gives the reason and remedy for a named strategy that is unavailable', async () => {
    await assert.rejects(selectStrategy(registered, 'cuda', {}), /not available here: no device.*Fix: install one/);
  });
});
