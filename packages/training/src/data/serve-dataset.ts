import type { Dataset, Sample } from './dataset.js';
import type { DataWorkerStart } from './data-worker.js';
import { serializeError, type ItemResult, type LoadRequest, type WorkerReply } from './worker-protocol.js';

/** The worker's side of its channel to the pool. */
export interface WorkerPort {
  post(reply: WorkerReply, transfer?: ArrayBuffer[]): void;
  onRequest(handler: (request: LoadRequest) => void): void;
}

/**
 * The body of a data-loading worker, in a Node thread or a Web Worker alike: imports the
 * dataset's module from `url`, builds its own copy of the dataset with the factory named in
 * `start`, then answers load requests with the samples, transferring their buffers rather than
 * copying them. Reports 'ready', or 'init-error' when the dataset cannot be built.
 */
export async function serveDataset(port: WorkerPort, start: DataWorkerStart, url: string): Promise<void> {
  let dataset: Dataset<Sample>;
  try {
    dataset = await loadDataset(start, url);
  } catch (error) {
    port.post({ type: 'init-error', error: serializeError(error) });
    return;
  }
  port.onRequest(async (request) => {
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
    port.post({ type: 'result', id: request.id, results }, transfer);
  });
  port.post({ type: 'ready' });
}

async function loadDataset(start: DataWorkerStart, url: string): Promise<Dataset<Sample>> {
  const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as Record<string, unknown>;
  const factory = mod[start.exportName];
  if (typeof factory !== 'function') {
    throw new Error(`Module ${url} has no exported function ${JSON.stringify(start.exportName)} to build the dataset in a worker.`);
  }
  return (await (factory as (args: unknown) => Dataset<Sample> | Promise<Dataset<Sample>>)(start.args)) as Dataset<Sample>;
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
