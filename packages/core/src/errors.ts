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
  | 'device-error';

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

  constructor(kind: StrataErrorKind, message: string, details: StrataErrorDetails = {}) {
    const fix = details.fix ? ` Fix: ${details.fix}` : '';
    super(`${message}${fix}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StrataError';
    this.kind = kind;
    this.value = details.value;
    this.fix = details.fix;
  }
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
