import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError, errorReason } from './errors.js';

const fixCount = (text: string) => text.split('Fix:').length - 1;

describe('StrataError', () => {
  it('ends its message with one "Fix:", and keeps the reason and the fix apart', () => {
    const error = new StrataError('strategy-unavailable', 'No server answered.', { value: 'tpu', fix: 'start one.' });
    assert.equal(error.message, 'No server answered. Fix: start one.');
    assert.equal(error.reason, 'No server answered.');
    assert.equal(error.fix, 'start one.');
    assert.equal(fixCount(error.message), 1);
  });

  it('has no "Fix:" without a fix, and its reason is then its message', () => {
    const error = new StrataError('bad-input', 'Bad shape.');
    assert.equal(error.message, 'Bad shape.');
    assert.equal(error.reason, error.message);
    assert.equal(fixCount(error.message), 0);
  });

  it('quoted inside another error through errorReason, the result still says "Fix:" once', () => {
    const inner = new StrataError('server-error', 'XLA server call Health failed: 14 UNAVAILABLE.', { fix: 'start the server.' });
    const outer = new StrataError('strategy-unavailable', `Strategy 'tpu' is not available here: ${errorReason(inner)}`, { fix: inner.fix });
    assert.equal(fixCount(outer.message), 1, outer.message);
    assert.match(outer.message, /14 UNAVAILABLE\. Fix: start the server\.$/);
    // Quoting the whole message is what printed "Fix:" twice.
    assert.equal(fixCount(`${inner.message} Fix: ${inner.fix}`), 2);
  });
});

describe('errorReason', () => {
  it("gives a StrataError's reason, another error's message, and anything else as text", () => {
    assert.equal(errorReason(new StrataError('bad-input', 'Bad.', { fix: 'do better.' })), 'Bad.');
    assert.equal(errorReason(new TypeError('x is not a function')), 'x is not a function');
    assert.equal(errorReason('plain'), 'plain');
    assert.equal(errorReason(42), '42');
  });
});
