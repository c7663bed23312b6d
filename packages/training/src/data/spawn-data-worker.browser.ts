import { StrataError, quote } from '@strata/core';
import type { DataWorker, SpawnDataWorker } from './data-worker.js';
import type { WorkerReply } from './worker-protocol.js';

/**
 * Starts a data-loading worker as a module Web Worker running `script` (default:
 * `workerEntryPath()`), then sends it the dataset's source as its first message (a Web Worker
 * has no `workerData`). A script that cannot be loaded is reported through `onError`.
 */
export const spawnDataWorker: SpawnDataWorker = (start, events, index, script) => {
  if (typeof Worker !== 'function') {
    throw new StrataError('worker-failed', 'This JavaScript environment has no Web Worker, so DataLoader cannot load in workers here.', {
      value: typeof Worker,
      fix: 'use numWorkers: 0 to load in the main thread.',
    });
  }
  const url = script === undefined ? workerEntryPath() : new URL(String(script), globalThis.location?.href).href;
  // The literal `new Worker(new URL(...), { type: 'module' })` form lets webpack and Vite find
  // and bundle the worker entry themselves; an explicit script skips it.
  const worker =
    script === undefined
      ? new Worker(new URL('./browser-data-worker.js', import.meta.url), { type: 'module', name: `strata-data-worker-${index}` })
      : new Worker(url, { type: 'module', name: `strata-data-worker-${index}` });
  let finish = (): void => undefined;
  const exited = new Promise<void>((done) => (finish = done));
  worker.addEventListener('message', (event: MessageEvent<WorkerReply>) => events.onMessage(event.data));
  worker.addEventListener('error', (event: ErrorEvent) => {
    event.preventDefault();
    const detail = event.message ? `: ${event.message}` : ` (the script ${quote(url)} could not be loaded or threw while loading)`;
    events.onError(new Error(`failed${detail}`));
  });
  worker.addEventListener('messageerror', () => events.onError(new Error('sent a message that could not be deserialized')));
  // The dataset's module is resolved against the page, not against the worker's script.
  const module = new URL(start.module, globalThis.location?.href).href;
  worker.postMessage({ type: 'start', module, exportName: start.exportName, args: start.args });
  const handle: DataWorker = {
    post: (request) => worker.postMessage(request),
    terminate: () => {
      worker.terminate();
      finish();
    },
    exited,
    ref: () => undefined,
    unref: () => undefined,
  };
  return handle;
};

/**
 * The URL of the browser worker entry: `browser-data-worker.js` next to this module, that is
 * next to the page's bundle when this package is bundled. Build `@strata/training/browser-data-worker`
 * to that file, or pass `workerScript` to the DataLoader.
 */
export function workerEntryPath(): string {
  return new URL('./browser-data-worker.js', import.meta.url).href;
}
