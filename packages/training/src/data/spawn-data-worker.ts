import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StrataError, quote } from '@strata/core';
import type { DataWorker, SpawnDataWorker } from './data-worker.js';

/**
 * Starts a data-loading worker as a Node worker thread running the package's compiled worker
 * entry (or `script`), with the dataset's source in its `workerData`.
 */
export const spawnDataWorker: SpawnDataWorker = (start, events, _index, script) => {
  // execArgv [] : the worker runs compiled JavaScript only, whatever loader the parent uses.
  const worker = new Worker(script ?? workerEntryPath(), { workerData: start, execArgv: [] });
  const exited = new Promise<void>((done) => worker.once('exit', () => done()));
  worker.on('message', (reply) => events.onMessage(reply));
  worker.on('error', (error) => events.onError(error));
  worker.on('exit', (code) => events.onExit(code));
  const handle: DataWorker = {
    post: (request) => worker.postMessage(request),
    terminate: () => void worker.terminate(),
    exited,
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
  return handle;
};

/**
 * The compiled worker entry. Running from TypeScript sources (tests under tsx), it is the
 * package's dist/ copy, so build the package first.
 */
export function workerEntryPath(): string {
  let url = new URL('./worker-entry.js', import.meta.url);
  if (import.meta.url.endsWith('.ts')) url = new URL(import.meta.url.replace(/\/src\/(.*)\/[^/]+\.ts$/, '/dist/$1/worker-entry.js'));
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new StrataError('worker-failed', `The data-loading worker script ${quote(path)} does not exist.`, {
      value: path,
      fix: "reinstall @strata/training, whose dist/ holds the worker script; running from its TypeScript sources, build the package first.",
    });
  }
  return path;
}
