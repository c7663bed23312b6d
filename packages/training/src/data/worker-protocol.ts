import type { Sample, SampleContext } from './dataset.js';

/** One item a worker is asked to load. */
export interface WorkItem {
  readonly index: number;
  readonly context: SampleContext;
}

/** Main thread to worker: load these items. */
export interface LoadRequest {
  readonly id: number;
  readonly items: readonly WorkItem[];
}

/** An error, flattened for `postMessage`. */
export interface SerializedError {
  readonly message: string;
  readonly name: string;
  /** The `StrataError` kind, when it was one. */
  readonly kind?: string;
  /** A `StrataError`'s reason and fix, apart, so that a message quoting it says "Fix:" once. */
  readonly reason?: string;
  readonly fix?: string;
  readonly stack?: string;
}

export type ItemResult<T = Sample> = { readonly ok: true; readonly sample: T } | { readonly ok: false; readonly error: SerializedError };

/** Worker to main thread. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: SerializedError }
  | { readonly type: 'result'; readonly id: number; readonly results: readonly ItemResult[] };

export function serializeError(error: unknown): SerializedError {
  const e = error as { message?: string; name?: string; kind?: string; reason?: string; fix?: string; stack?: string } | null;
  return {
    message: e?.message ?? String(error),
    name: e?.name ?? 'Error',
    kind: stringOrUndefined(e?.kind),
    reason: stringOrUndefined(e?.reason),
    fix: stringOrUndefined(e?.fix),
    stack: e?.stack,
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
