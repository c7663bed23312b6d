/**
 * The one error family of Strata. Every error carries a `kind` that callers can
 * switch on, quotes the value it received, and says how to fix it.
 */
export type StrataErrorKind =
  | 'unknown-strategy'
  | 'strategy-unavailable'
  | 'invalid-option'
  | 'unsupported-option'
  | 'unsupported-precision'
  | 'missing-kernel'
  | 'not-set-up'
  | 'checkpoint-mismatch'
  | 'bad-input'
  | 'data-error'
  | 'worker-failed'
  | 'server-error'
  | 'non-finite'
  | 'device-error'
  | 'replay-mismatch';

export interface StrataErrorDetails {
  /** The value that was received, quoted in the message. */
  readonly value?: unknown;
  /** What the user should do about it. */
  readonly fix?: string;
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

/**
 * @example
 * try { await createStrata({ strategy: 'nosuch' }); }
 * catch (e) { if (e instanceof StrataError && e.kind === 'unknown-strategy') console.error(e.message); }
 */
export class StrataError extends Error {
  readonly kind: StrataErrorKind;
  readonly value: unknown;
  readonly fix: string | undefined;
  /**
   * What went wrong: the message without the " Fix: ..." that the message ends with. Another
   * message that quotes this error quotes its reason, so that one text carries one "Fix:".
   */
  readonly reason: string;

  constructor(kind: StrataErrorKind, message: string, details: StrataErrorDetails = {}) {
    const fix = details.fix ? ` Fix: ${details.fix}` : '';
    super(`${message}${fix}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StrataError';
    this.kind = kind;
    this.value = details.value;
    this.fix = details.fix;
    this.reason = message;
  }
}

/**
 * What went wrong in `error`, to quote inside another message: a `StrataError`'s reason (its
 * message without the fix), another error's message, or the value as text.
 *
 * @example
 * catch (e) { return { available: false, reason: `no server answered: ${errorReason(e)}`, remedy: (e instanceof StrataError && e.fix) || 'start one.' }; }
 */
export function errorReason(error: unknown): string {
  if (error instanceof StrataError) return error.reason;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Quotes a received value for an error message, short and unambiguous. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Throws an `invalid-option` error naming the option, the value received and what is allowed. */
export function invalidOption(option: string, value: unknown, allowed: string): never {
  throw new StrataError('invalid-option', `Invalid option ${option}: received ${quote(value)}.`, {
    value,
    fix: `${option} must be ${allowed}.`,
  });
}
