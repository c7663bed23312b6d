// The entry of a data-loading Web Worker (browser): its first message names the dataset's
// module (an absolute URL), every later one is a load request. The body is shared with the
// Node worker thread's entry. Bundle it as its own entry point (it is a module worker).
import type { DataWorkerStart } from './data-worker.js';
import { serveDataset } from './serve-dataset.js';
import type { LoadRequest, WorkerReply } from './worker-protocol.js';

interface WorkerScope {
  postMessage(message: WorkerReply, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
let handler: ((request: LoadRequest) => void) | undefined;
const queued: LoadRequest[] = [];

function onStart(event: MessageEvent<DataWorkerStart & { type: 'start' }>): void {
  scope.removeEventListener('message', onStart);
  scope.addEventListener('message', (next: MessageEvent<LoadRequest>) => (handler ? handler(next.data) : queued.push(next.data)));
  const { module, exportName, args } = event.data;
  void serveDataset(
    {
      post: (reply, transfer = []) => scope.postMessage(reply, transfer),
      onRequest: (h) => {
        handler = h;
        for (const request of queued.splice(0)) h(request);
      },
    },
    { module, exportName, args },
    module,
  );
}

// Listens only inside a Web Worker: imported anywhere else (a page, Node resolving every entry
// point of the package) the module does nothing.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function') scope.addEventListener('message', onStart);
