/**
 * Where checkpoint files live. Paths are '/'-separated strings whatever the platform: on Node
 * they are file-system paths, in a browser they name entries of the origin's private storage.
 * Every method is asynchronous so that a browser implementation (OPFS, IndexedDB) fits.
 */
export interface CheckpointStorage {
  /** Replaces `path` with `chunks` so that `path` is always its old content or the whole new one. */
  writeAtomic(path: string, chunks: readonly Uint8Array[], hooks?: CheckpointWriteHooks): Promise<void>;
  /** The whole file; rejects with an error naming `path` when it does not exist. */
  read(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  /** Removes `path`; nothing happens when it does not exist. */
  remove(path: string): Promise<void>;
  /** The names (not paths) of the entries directly in `dir`; empty when `dir` does not exist. */
  list(dir: string): Promise<string[]>;
  /** Removes temporary files that writes interrupted by a crash left in `dir`; returns their names. */
  removeStaleTemporaries(dir: string): Promise<string[]>;
}

/** Hooks for tests that kill the writer mid-file. */
export interface CheckpointWriteHooks {
  /** Called after each chunk reaches the temporary file. */
  afterChunk?(written: number, total: number): void | Promise<void>;
}
