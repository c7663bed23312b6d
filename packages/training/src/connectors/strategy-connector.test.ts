// A strategy name is checked when the Trainer is made, against the names the registered backend
// packages declare, before any of them loads. The tests share the process-wide registry, in
// order: empty first, then one declared package.
import { strict as assert } from 'node:assert';
import { afterEach, describe, it } from 'node:test';
import { StrataError, registerBackend, strategyModule } from '@strata/core';
import { JsCpu } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';

describe('strategy names at construction', () => {
  const saved = process.env.STRATA_STRATEGY;
  afterEach(() => {
    if (saved === undefined) delete process.env.STRATA_STRATEGY;
    else process.env.STRATA_STRATEGY = saved;
  });

  it('says to import @strata/strategies or a backend package when no strategy is registered', () => {
    assert.throws(
      () => new Trainer({ strategy: 'wasm' }),
      (e: unknown) =>
        e instanceof StrataError &&
        e.kind === 'unknown-strategy' &&
        /Unknown strategy "wasm": no strategy is registered\. Fix: import '@strata\/strategies' .* '@strata\/backend-wasm' before creating the Trainer\./.test(e.message),
    );
  });

  it("fails at once on an unknown name, listing the declared names, 'auto' and 'fastest', without loading a backend", () => {
    let loads = 0;
    registerBackend(
      'test-backend-js-cpu',
      async () => {
        loads += 1;
        return { default: strategyModule('cpu', () => new JsCpu()) };
      },
      { strategies: ['cpu'] },
    );
    assert.throws(
      () => new Trainer({ strategy: 'gpu' }),
      (e: unknown) =>
        e instanceof StrataError &&
        e.kind === 'unknown-strategy' &&
        e.value === 'gpu' &&
        /Unknown strategy "gpu"\. Fix: use one of the registered strategies: "cpu", 'auto' or 'fastest'\./.test(e.message),
    );
    assert.equal(loads, 0);
    new Trainer({ strategy: 'cpu' });
    new Trainer({ strategy: 'auto' });
    new Trainer({ strategy: 'fastest' });
  });

  it('checks STRATA_STRATEGY at construction too, unless code names a strategy', () => {
    process.env.STRATA_STRATEGY = 'cpuu';
    assert.throws(() => new Trainer({}), /Unknown strategy "cpuu" \(from STRATA_STRATEGY\)\./);
    new Trainer({ strategy: 'cpu' });
    new Trainer({ strategy: new JsCpu() });
    process.env.STRATA_STRATEGY = 'fastest';
    new Trainer({});
  });
});
