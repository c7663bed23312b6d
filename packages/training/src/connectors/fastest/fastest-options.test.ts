import { strict as assert } from 'node:assert';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { DEFAULT_FASTEST_BUDGET_MS, fastestCacheDir, remeasureRequested, resolveFastestOptions } from './fastest-options.js';

describe("the Trainer's fastest option", () => {
  it('defaults to a budget of a few seconds, and leaves remeasure and the folder to the environment', () => {
    assert.deepEqual(resolveFastestOptions(undefined), { budgetMs: DEFAULT_FASTEST_BUDGET_MS, remeasure: undefined, cacheDir: undefined });
    assert.ok(DEFAULT_FASTEST_BUDGET_MS >= 1000 && DEFAULT_FASTEST_BUDGET_MS <= 10000);
    assert.deepEqual(resolveFastestOptions({ budgetMs: 500, remeasure: true, cacheDir: false }), { budgetMs: 500, remeasure: true, cacheDir: false });
  });

  it('refuses bad values, naming the option and the fix', () => {
    const refuses = (value: unknown, pattern: RegExp) =>
      assert.throws(() => resolveFastestOptions(value as never), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option' && pattern.test(e.message));
    refuses({ budgetMs: 0 }, /Invalid option fastest\.budgetMs: received 0\. Fix: fastest\.budgetMs must be a number of milliseconds > 0/);
    refuses({ budgetMs: '3s' }, /fastest\.budgetMs: received "3s"/);
    refuses({ remeasure: 'yes' }, /fastest\.remeasure: received "yes"\. Fix: fastest\.remeasure must be true or false/);
    refuses({ cacheDir: '' }, /fastest\.cacheDir: received ""\. Fix: .* a folder path, or false for no cache/);
    refuses({ budget: 100 }, /Invalid option fastest: received "budget"\. Fix: fastest must be an object with budgetMs, remeasure or cacheDir/);
    refuses(3000, /Invalid option fastest: received 3000/);
  });

  it('measures again when the option says so, else when STRATA_FASTEST_REMEASURE is set to something other than 0 or false', () => {
    const unset = resolveFastestOptions(undefined);
    assert.equal(remeasureRequested(unset, {}), false);
    assert.equal(remeasureRequested(unset, { STRATA_FASTEST_REMEASURE: '1' }), true);
    assert.equal(remeasureRequested(unset, { STRATA_FASTEST_REMEASURE: '0' }), false);
    assert.equal(remeasureRequested(unset, { STRATA_FASTEST_REMEASURE: 'false' }), false);
    assert.equal(remeasureRequested(resolveFastestOptions({ remeasure: false }), { STRATA_FASTEST_REMEASURE: '1' }), false);
  });

  it('keeps the cache in the option folder, else STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata, else ~/.cache/strata', () => {
    const unset = resolveFastestOptions(undefined);
    assert.equal(fastestCacheDir(resolveFastestOptions({ cacheDir: '/tmp/mine' }), { STRATA_CACHE_DIR: '/tmp/env' }), '/tmp/mine');
    assert.equal(fastestCacheDir(resolveFastestOptions({ cacheDir: false }), {}), false);
    assert.equal(fastestCacheDir(unset, { STRATA_CACHE_DIR: '/tmp/env', XDG_CACHE_HOME: '/tmp/xdg' }), '/tmp/env');
    assert.equal(fastestCacheDir(unset, { XDG_CACHE_HOME: '/tmp/xdg' }), join('/tmp/xdg', 'strata'));
    assert.equal(fastestCacheDir(unset, {}), join(homedir(), '.cache', 'strata'));
  });
});
