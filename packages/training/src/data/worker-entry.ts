// The entry of a data-loading worker thread (Node): the dataset's source arrives in workerData,
// requests and replies travel through parentPort. The body is shared with the browser entry.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { DataWorkerStart } from './data-worker.js';
import type { WorkerSource } from './dataset.js';
import { serveDataset } from './serve-dataset.js';
import type { LoadRequest } from './worker-protocol.js';

const port = parentPort!;
const start = workerData as DataWorkerStart;
const url = start.module.startsWith('file:') ? start.module : pathToFileURL(start.module).href;

await serveDataset(
  {
    post: (reply, transfer = []) => port.postMessage(reply, transfer),
    onRequest: (handler) => port.on('message', (request: LoadRequest) => handler(request)),
  },
  start,
  url,
);

export type { WorkerSource };
