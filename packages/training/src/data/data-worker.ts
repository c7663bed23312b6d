import type { LoadRequest, WorkerReply } from './worker-protocol.js';

/** What a data-loading worker is told when it starts: where its dataset comes from. */
export interface DataWorkerStart {
  /** The dataset module: a file URL or path in Node, a URL in a browser. */
  readonly module: string;
  readonly exportName: string;
  readonly args: unknown;
}

/** What a worker reports to the pool. */
export interface DataWorkerEvents {
  onMessage(reply: WorkerReply): void;
  /** The worker threw, or (in a browser) its script could not be loaded. */
  onError(error: Error): void;
  /** The worker ended on its own (Node threads only: a browser worker ends only when terminated). */
  onExit(code: number): void;
}

/**
 * One data-loading worker, whatever runs it: a Node worker thread or a browser Web Worker. The
 * pool speaks the messages of `worker-protocol.ts` through it.
 */
export interface DataWorker {
  post(request: LoadRequest): void;
  /** Stops the worker; `exited` settles once it has. */
  terminate(): void;
  /** Settles when the worker has ended, however it ended. */
  readonly exited: Promise<void>;
  /** Lets the worker keep the process alive (Node), or not; nothing in a browser. */
  ref(): void;
  unref(): void;
}

/** Starts worker number `index`, running `script` (default: the platform's worker entry). */
export type SpawnDataWorker = (start: DataWorkerStart, events: DataWorkerEvents, index: number, script?: string | URL) => DataWorker;
