import { strict as assert } from 'node:assert';
import { afterEach, describe, it } from 'node:test';
import { DEBUG_ENV, debugEnabled, debugLog } from './debug-log.js';

describe('STRATA_DEBUG', () => {
  const saved = process.env[DEBUG_ENV];
  const originalError = console.error;
  afterEach(() => {
    console.error = originalError;
    if (saved === undefined) delete process.env[DEBUG_ENV];
    else process.env[DEBUG_ENV] = saved;
  });

  it("is on for '1' or 'true', off when unset, empty, '0' or 'false'", () => {
    assert.equal(debugEnabled({ [DEBUG_ENV]: '1' }), true);
    assert.equal(debugEnabled({ [DEBUG_ENV]: 'true' }), true);
    assert.equal(debugEnabled({}), false);
    assert.equal(debugEnabled({ [DEBUG_ENV]: '' }), false);
    assert.equal(debugEnabled({ [DEBUG_ENV]: '0' }), false);
    assert.equal(debugEnabled({ [DEBUG_ENV]: 'FALSE' }), false);
  });

  it('debugLog prints each line with its scope when on, and nothing when off', () => {
    const printed: string[] = [];
    console.error = (...args: unknown[]) => void printed.push(args.join(' '));
    delete process.env[DEBUG_ENV];
    debugLog('probe', 'hidden');
    assert.deepEqual(printed, []);
    process.env[DEBUG_ENV] = '1';
    debugLog('probe', 'first\nsecond\n');
    assert.deepEqual(printed, ['strata debug (probe): first\nstrata debug (probe): second']);
  });
});
