import type { ProgramExecutor } from './program-executor.js';

/**
 * Who holds each server buffer, and the releases of the buffers nobody holds any more. A
 * buffer is held by every record whose source it is and by the small-value cache; once the
 * last holder lets go, its handle waits to be released, batched with the next run (or sent
 * on its own at the next turn of the event loop).
 */
export class BufferPins {
  private readonly holdersOf = new Map<string, number>();
  /** Handles XLA consumed (donated to a run): already freed on the server. */
  private readonly consumed = new Set<string>();
  private pendingRelease: string[] = [];
  private releaseScheduled = false;
  private releasing: Promise<void> = Promise.resolve();

  /** @param executor the session that frees buffers; null while the backend has none. */
  constructor(private readonly executor: () => ProgramExecutor | null) {}

  /** Adds (`delta` 1) or drops (-1) a holder of `handle`; the last drop releases the buffer. */
  pin(handle: string, delta: number): void {
    const n = (this.holdersOf.get(handle) ?? 0) + delta;
    if (n > 0) {
      this.holdersOf.set(handle, n);
      return;
    }
    this.holdersOf.delete(handle);
    if (this.consumed.delete(handle)) return;
    this.pendingRelease.push(handle);
    if (!this.releaseScheduled) {
      this.releaseScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** How many records and caches hold the buffer. */
  holders(handle: string): number {
    return this.holdersOf.get(handle) ?? 0;
  }

  /** Marks buffers the server freed itself (donated to a run): their last drop sends no release. */
  consume(handles: readonly string[]): void {
    for (const h of handles) this.consumed.add(h);
  }

  /** The releases waiting so far, which the caller sends with its run. */
  takeReleases(): string[] {
    const handles = this.pendingRelease;
    this.pendingRelease = [];
    return handles;
  }

  /** Puts back releases whose run failed, so that they go with the next one. */
  returnReleases(handles: readonly string[]): void {
    this.pendingRelease.push(...handles);
  }

  /** Frees released buffers on the server in one call. */
  flush(): void {
    this.releaseScheduled = false;
    const executor = this.executor();
    if (this.pendingRelease.length === 0 || executor === null) return;
    const handles = this.pendingRelease;
    this.pendingRelease = [];
    const done = executor.release(handles).catch(() => {
      // The session may already be closed (teardown), which frees everything anyway.
    });
    this.releasing = Promise.all([this.releasing, done]).then(() => undefined);
  }

  /** Sends what is waiting; resolves once every buffer released so far is freed on the server. */
  settled(): Promise<void> {
    this.flush();
    return this.releasing;
  }

  /** Forgets holders and consumed buffers (a new session: the old handles mean nothing there). */
  forget(): void {
    this.holdersOf.clear();
    this.consumed.clear();
  }
}
