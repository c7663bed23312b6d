import { StrataError, quote } from '@strata/core';
import type { DataWorker } from './data-worker.js';
import type { WorkerSource } from './dataset.js';
import { spawnDataWorker } from './spawn-data-worker.js';
import type { ItemResult, SerializedError, WorkItem, WorkerReply } from './worker-protocol.js';

interface Task {
  readonly id: number;
  readonly items: readonly WorkItem[];
  readonly label: string;
  resolve(results: readonly ItemResult[]): void;
  reject(error: unknown): void;
}

interface Slot {
  readonly worker: DataWorker;
  readonly index: number;
  ready: boolean;
  task: Task | undefined;
}

export { workerEntryPath } from './spawn-data-worker.js';

/**
 * Workers (Node worker threads; Web Workers in a browser) that each hold a copy of a dataset
 * (rebuilt from its `WorkerSource`) and load samples on request; the DataLoader uses it to
 * decode and augment ahead of the model. Tasks queue until a worker is free. A worker that
 * throws while starting, crashes or exits fails every task it had and the pool: nothing waits
 * forever.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private failure: StrataError | undefined;
  private closing = false;

  constructor(
    private readonly source: WorkerSource,
    readonly size: number,
    /** The worker's script (default: the platform's worker entry of this package). */
    script?: string | URL,
  ) {
    const module = source.module instanceof URL ? source.module.href : source.module;
    const start = { module, exportName: source.exportName ?? 'createDataset', args: source.args };
    for (let i = 0; i < size; i++) {
      // The events fire later, once `slot` holds its worker.
      const slot: Slot = {
        worker: spawnDataWorker(
          start,
          {
            onMessage: (reply: WorkerReply) => this.onReply(slot, reply),
            onError: (error) => this.fail(slot, `threw an uncaught error: ${error.message}`, error),
            onExit: (code) => {
              if (!this.closing) this.fail(slot, `exited unexpectedly with code ${code}`);
            },
          },
          i,
          script,
        ),
        index: i,
        ready: false,
        task: undefined,
      };
      // Idle workers must not keep the process alive.
      slot.worker.unref();
      this.slots.push(slot);
    }
  }

  /** Loads `items` on the next free worker; `label` names them in errors ('batch 3'). */
  run(items: readonly WorkItem[], label: string): Promise<readonly ItemResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, items, label, resolve, reject });
      // Work pending: the workers (starting or busy) keep the process alive until it is done.
      for (const slot of this.slots) slot.worker.ref();
      this.dispatch();
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closing = true;
    const error = new StrataError('worker-failed', 'The data-loading worker pool was closed while tasks were pending.');
    for (const task of this.queue.splice(0)) task.reject(error);
    // Wait on each worker's exit rather than on terminate(): a worker that a failure already
    // terminated (and that is unref'd) may never settle a second terminate(), and nothing would
    // keep the event loop alive meanwhile. ref() keeps it alive until every exit has fired.
    for (const slot of this.slots) {
      slot.worker.ref();
      slot.worker.terminate();
    }
    // A worker terminated while it was still starting may never emit 'exit' (then neither its
    // handle nor anything else keeps the event loop alive, and an await here would be dropped
    // with the process). A ref'd timer bounds the wait.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((done) => {
      timer = setTimeout(done, CLOSE_WAIT_MS);
    });
    await Promise.race([Promise.all(this.slots.map((s) => s.worker.exited)), bound]);
    clearTimeout(timer);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.task) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.post({ id: task.id, items: task.items });
    }
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'ready') {
      slot.ready = true;
      this.dispatch();
    } else if (reply.type === 'init-error') {
      this.fail(slot, `could not build the dataset from ${quote(String(this.source.module))}: ${reply.error.reason ?? reply.error.message}`, reply.error);
    } else {
      const task = slot.task;
      slot.task = undefined;
      task?.resolve(reply.results);
      this.dispatch();
      if (this.queue.length === 0 && this.slots.every((s) => !s.task)) for (const s of this.slots) s.worker.unref();
    }
  }

  private fail(slot: Slot, what: string, cause?: Error | SerializedError): void {
    if (this.closing) return;
    const task = slot.task;
    const items = task ? `, while loading ${task.label} (items ${task.items.map((i) => i.index).join(', ')})` : '';
    this.failure ??= new StrataError('worker-failed', `Data-loading worker ${slot.index} ${what}${items}.`, {
      value: task?.items.map((i) => i.index),
      cause,
      fix: 'rerun with numWorkers: 0 to load in the main thread and see the full error; if the worker ran out of memory, lower numWorkers or prefetch.',
    });
    // Every task still out fails, not only the failing worker's: the others' workers are
    // terminated below and would never answer, and a loader awaiting one of them (the next
    // batch in order) would wait on a promise nothing can settle.
    for (const s of this.slots) {
      const pending = s.task;
      s.task = undefined;
      pending?.reject(this.failure);
    }
    for (const queued of this.queue.splice(0)) queued.reject(this.failure);
    this.closing = true;
    for (const s of this.slots) s.worker.terminate();
  }
}

/** How long close() waits for the workers' exits. */
const CLOSE_WAIT_MS = 2000;
