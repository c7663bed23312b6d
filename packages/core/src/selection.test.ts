import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { declaredStrategyNames, registerBackend } from './backend-registry.js';
import { StrataError } from './errors.js';
import { assertStrategyNameRegistered, selectStrategy } from './selection.js';
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

  it("refuses 'fastest': only a Trainer has a model to measure", async () => {
    await assert.rejects(selectStrategy(registered, undefined, { STRATA_STRATEGY: 'fastest' }), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.equal(e.kind, 'invalid-option');
      assert.match(e.message, /"fastest" \(from STRATA_STRATEGY\) needs a model to measure/);
      assert.match(e.message, /new Trainer\(\{ strategy: 'fastest' \}\)/);
      return true;
    });
  });
});

// These tests share the process-wide backend registry, in order: empty first, then two
// packages that declare their names, then one that declares none.
describe('assertStrategyNameRegistered', () => {
  const loader = async () => ({ default: undefined });

  it('says to import a backend package when no strategy is registered at all', () => {
    assert.equal(declaredStrategyNames().backends, 0);
    assert.throws(() => assertStrategyNameRegistered('cpu', {}), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.equal(e.kind, 'unknown-strategy');
      assert.match(e.message, /Unknown strategy "cpu": no strategy is registered\./);
      assert.match(e.message, /import '@strata\/strategies'/);
      assert.match(e.message, /'@strata\/backend-cpu'/);
      return true;
    });
  });

  it("lets 'auto' and 'fastest' through, and an unset name (which means 'auto')", () => {
    assertStrategyNameRegistered('auto', {});
    assertStrategyNameRegistered('fastest', {});
    assertStrategyNameRegistered(undefined, {});
    assertStrategyNameRegistered(undefined, { STRATA_STRATEGY: 'fastest' });
  });

  it('knows the names registrations declare, without loading the packages', () => {
    let loads = 0;
    const counting = async () => {
      loads += 1;
      return { default: undefined };
    };
    registerBackend('test-backend-cpu', counting, { strategies: ['cpu'] });
    registerBackend('test-backend-wasm', counting, { strategies: ['wasm'] });
    assert.deepEqual(declaredStrategyNames(), { names: ['cpu', 'wasm'], complete: true, backends: 2 });
    assertStrategyNameRegistered('cpu', {});
    assertStrategyNameRegistered(undefined, { STRATA_STRATEGY: 'wasm' });
    assert.equal(loads, 0);
  });

  it("fails on an unknown name, listing the registered names, 'auto' and 'fastest'", () => {
    assert.throws(() => assertStrategyNameRegistered('cpuu', {}), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.equal(e.kind, 'unknown-strategy');
      assert.equal(e.value, 'cpuu');
      assert.match(e.message, /Unknown strategy "cpuu"\. Fix: use one of the registered strategies: "cpu", "wasm", 'auto' or 'fastest'\./);
      return true;
    });
  });

  it('checks STRATA_STRATEGY too, saying where the name came from, after a name in code', () => {
    assert.throws(() => assertStrategyNameRegistered(undefined, { STRATA_STRATEGY: 'tpuu' }), /Unknown strategy "tpuu" \(from STRATA_STRATEGY\)\./);
    assertStrategyNameRegistered('cpu', { STRATA_STRATEGY: 'tpuu' });
  });

  it('leaves an unknown name to the loaded backends when a registration declared no names', () => {
    registerBackend('test-backend-undeclared', loader);
    assert.deepEqual(declaredStrategyNames(), { names: ['cpu', 'wasm'], complete: false, backends: 3 });
    assertStrategyNameRegistered('third-party', {});
  });
});
