// The body of a data-loading worker thread: it imports the dataset's module, builds its own
// copy of the dataset with the factory named in workerData, then answers load requests with
// the samples, transferring their buffers rather than copying them.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { Dataset, Sample, WorkerSource } from './dataset.js';
import { serializeError, type ItemResult, type LoadRequest, type WorkerReply } from './worker-protocol.js';

const port = parentPort!;
const source = workerData as { module: string; exportName: string; args: unknown };

function post(reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

async function loadDataset(): Promise<Dataset<Sample>> {
  const url = source.module.startsWith('file:') ? source.module : pathToFileURL(source.module).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const factory = mod[source.exportName];
  if (typeof factory !== 'function') {
    throw new Error(`Module ${url} has no exported function ${JSON.stringify(source.exportName)} to build the dataset in a worker.`);
  }
  return (await (factory as (args: unknown) => Dataset<Sample> | Promise<Dataset<Sample>>)(source.args)) as Dataset<Sample>;
}

/** The buffers of a sample's typed arrays, copied first when they are views into a larger one. */
function ownBuffers(sample: Sample): { sample: Sample; transfer: ArrayBuffer[] } {
  const out: Record<string, unknown> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [key, value] of Object.entries(sample)) {
    if (typeof value === 'object' && value !== null && ArrayBuffer.isView(value.data)) {
      let data = value.data;
      if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength || !(data.buffer instanceof ArrayBuffer)) data = data.slice();
      if (!transfer.includes(data.buffer as ArrayBuffer)) transfer.push(data.buffer as ArrayBuffer);
      out[key] = { ...value, data };
    } else {
      out[key] = value;
    }
  }
  return { sample: out as Sample, transfer };
}

try {
  const dataset = await loadDataset();
  port.on('message', async (request: LoadRequest) => {
    const results: ItemResult[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const item of request.items) {
      try {
        const own = ownBuffers(await dataset.get(item.index, item.context));
        results.push({ ok: true, sample: own.sample });
        transfer.push(...own.transfer);
      } catch (error) {
        results.push({ ok: false, error: serializeError(error) });
      }
    }
    post({ type: 'result', id: request.id, results }, transfer);
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'init-error', error: serializeError(error) });
}

export type { WorkerSource };
