import { SeededRandom, StrataError, invalidOption, quote } from '@strata/core';
import { defaultCollate, type Batch } from './collate.js';
import type { Dataset, Sample, SampleContext, WorkerSource } from './dataset.js';
import type { Sampler } from './sampler.js';
import { serializeError, type ItemResult, type SerializedError, type WorkItem } from './worker-protocol.js';
import type { WorkerPool } from './worker-pool.js';

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  readonly batchSize?: number;
  /** Reshuffle at every epoch (default false). */
  readonly shuffle?: boolean;
  /** Seed of the shuffle and of the per-sample augmentation seeds; epoch e uses seed + e (default 0). */
  readonly seed?: number;
  /** Drop the last incomplete batch (default false). */
  readonly dropLast?: boolean;
  /** Turns samples into a batch (default: `defaultCollate`). */
  readonly collate?: (samples: T[]) => B;
  /** Chooses each epoch's indices (e.g. `WeightedRandomSampler`); excludes `shuffle`. */
  readonly sampler?: Sampler;
  /**
   * Workers that load (decode, augment) batches ahead of the model: worker threads in Node, Web
   * Workers in a browser (default 0: load in the main thread). Needs a dataset with a
   * `workerSource`, or the `workerSource` option.
   */
  readonly numWorkers?: number;
  /** Batches each worker loads ahead (default 2); the bound that gives backpressure. */
  readonly prefetch?: number;
  /** How workers rebuild the dataset, when the dataset does not say itself. */
  readonly workerSource?: WorkerSource;
  /**
   * The workers' script. Default in Node: this package's worker entry. Default in a browser:
   * `browser-data-worker.js` next to the page's bundle (build `@strata/training/browser-data-worker`
   * there), which webpack and Vite bundle on their own.
   */
  readonly workerScript?: string | URL;
  /**
   * What a sample whose loading fails with a 'data-error' (corrupt image, missing file) does:
   * 'error' (default) stops with the error; 'skip' logs it, leaves it out of its batch and
   * goes on, up to `maxBadSamples`.
   */
  readonly onBadSample?: 'error' | 'skip';
  /** Skipped samples tolerated over the loader's life before it stops (default 10). */
  readonly maxBadSamples?: number;
  /** Where skipped samples are reported (default console.warn). */
  readonly warn?: (message: string) => void;
}

/**
 * Batches a map-style dataset, like PyTorch's `DataLoader`. Iterating gives one epoch of
 * batches in order; tensors are created as each batch is reached, on the active strategy's
 * backend. With `numWorkers`, worker threads load batches ahead (up to `prefetch` each), and
 * the batches still come out in order. An error while loading names the sample and its batch.
 *
 * @example
 * const loader = new DataLoader(dataset, { batchSize: 32, shuffle: true, seed: 42, numWorkers: 2 });
 * for await (const batch of loader) { ... }
 * await loader.close(); // stops the workers
 */
export class DataLoader<T = Sample, B = Batch> implements AsyncIterable<B> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetch: number;
  readonly onBadSample: 'error' | 'skip';
  readonly maxBadSamples: number;
  /** Samples skipped so far under `onBadSample: 'skip'`. */
  badSamples = 0;
  private readonly collate: (samples: T[]) => B;
  private readonly sampler: Sampler | undefined;
  private readonly workerSource: WorkerSource | undefined;
  private readonly workerScript: string | URL | undefined;
  private readonly warn: (message: string) => void;
  private pool: WorkerPool | undefined;
  private epoch = 0;
  /** The options it was made with, for `withBatchSize`. */
  private readonly options: DataLoaderOptions<T, B>;
  /**
   * Under `dropLast`, an epoch's samples stop at a multiple of this: the batch size, or in a
   * `withBatchSize` copy the batch size of the loader it was made from.
   */
  private dropLastMultiple: number;

  constructor(
    readonly dataset: Dataset<T>,
    options: DataLoaderOptions<T, B> = {},
  ) {
    this.options = options;
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) invalidOption('batchSize', options.batchSize, 'an integer >= 1');
    this.shuffle = options.shuffle ?? false;
    this.seed = options.seed ?? 0;
    if (!Number.isInteger(this.seed)) invalidOption('seed', options.seed, 'an integer');
    this.dropLast = options.dropLast ?? false;
    this.dropLastMultiple = this.batchSize;
    this.collate = options.collate ?? (defaultCollate as unknown as (samples: T[]) => B);
    this.sampler = options.sampler;
    if (this.sampler && this.shuffle) invalidOption('shuffle', true, 'false when a sampler is given (the sampler chooses the order)');
    this.numWorkers = options.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) invalidOption('numWorkers', options.numWorkers, 'an integer >= 0');
    this.prefetch = options.prefetch ?? 2;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1) invalidOption('prefetch', options.prefetch, 'an integer >= 1');
    this.workerSource = options.workerSource ?? (dataset as { workerSource?: WorkerSource }).workerSource;
    if (this.numWorkers > 0 && !this.workerSource) {
      invalidOption('numWorkers', this.numWorkers, '0 for a dataset without a workerSource (worker threads rebuild the dataset from its module; give the dataset a workerSource or pass one)');
    }
    this.workerScript = options.workerScript;
    this.onBadSample = options.onBadSample ?? 'error';
    if (this.onBadSample !== 'error' && this.onBadSample !== 'skip') invalidOption('onBadSample', options.onBadSample, '"error" or "skip"');
    this.maxBadSamples = options.maxBadSamples ?? 10;
    if (!Number.isInteger(this.maxBadSamples) || this.maxBadSamples < 0) invalidOption('maxBadSamples', options.maxBadSamples, 'an integer >= 0');
    this.warn = options.warn ?? ((m) => console.warn(m));
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.sampler?.length ?? this.dataset.length;
    if (!this.dropLast) return Math.ceil(n / this.batchSize);
    const kept = Math.floor(n / this.dropLastMultiple) * this.dropLastMultiple;
    return Math.floor(kept / this.batchSize);
  }

  /**
   * The samples the current epoch yields: the sampler's or dataset's length, less the
   * incomplete last batch under `dropLast`.
   */
  get sampleCount(): number {
    const n = this.sampler?.length ?? this.dataset.length;
    return this.dropLast ? this.length * this.batchSize : n;
  }

  /**
   * A loader over the same dataset with the same options (order, seeds, workers, collate) but
   * `batchSize` samples per batch: its epochs yield the same samples in the same order, cut
   * differently. The Trainer re-batches with it for `globalBatchSize`; the copy has workers of
   * its own, stopped with its `close()`. Under `dropLast` the copy drops what this loader drops
   * (its epochs stop at a whole number of this loader's batches), so that a global batch cut
   * into micro-batches is never trained short.
   *
   * @example
   * const micro = loader.withBatchSize(16);
   */
  withBatchSize(batchSize: number): DataLoader<T, B> {
    const copy = new DataLoader<T, B>(this.dataset, { ...this.options, batchSize });
    copy.epoch = this.epoch;
    copy.dropLastMultiple = this.dropLastMultiple;
    return copy;
  }

  /** Sets the epoch whose order and augmentation seeds the next iteration uses (the Trainer calls this). */
  setEpoch(epoch: number): void {
    this.epoch = epoch;
  }

  /** The sample indices of the current epoch, in order. */
  indices(): number[] {
    if (this.sampler) return this.sampler.indices(this.epoch, this.seed);
    const order = Array.from({ length: this.dataset.length }, (_, i) => i);
    return this.shuffle ? new SeededRandom(this.seed + this.epoch).shuffle(order) : order;
  }

  /** Stops the worker threads, if any; a later iteration starts new ones. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const order = this.indices();
    const epoch = this.epoch;
    const work = (b: number): WorkItem[] =>
      order.slice(b * this.batchSize, (b + 1) * this.batchSize).map((index, k) => ({ index, context: sampleContext(this.seed, epoch, b * this.batchSize + k) }));
    const total = this.length;
    if (this.numWorkers === 0) {
      for (let b = 0; b < total; b++) {
        const items = work(b);
        const results = await Promise.all(items.map((item) => settle(() => this.dataset.get(item.index, item.context))));
        const batch = this.assemble(items, results as ItemResult<T>[], b);
        if (batch !== undefined) yield batch;
      }
      return;
    }
    // Imported here, so that a bundle that never loads in workers can leave the pool out.
    if (this.pool === undefined) {
      const { WorkerPool } = await import('./worker-pool.js');
      this.pool = new WorkerPool(this.workerSource!, this.numWorkers, this.workerScript);
    }
    const pool = this.pool;
    // Ordered prefetch: at most numWorkers * prefetch batches are in flight; the next one is
    // requested only when the consumer takes one, which is the backpressure.
    const inFlight = new Map<number, Promise<readonly ItemResult[]>>();
    const ahead = this.numWorkers * this.prefetch;
    let requested = 0;
    const request = () => {
      while (requested < total && inFlight.size < ahead) {
        const b = requested++;
        const promise = pool.run(work(b), `batch ${b} of epoch ${epoch}`);
        promise.catch(() => undefined); // observed when its turn comes
        inFlight.set(b, promise);
      }
    };
    request();
    for (let b = 0; b < total; b++) {
      const results = await inFlight.get(b)!;
      inFlight.delete(b);
      request();
      const batch = this.assemble(work(b), results as ItemResult<T>[], b);
      if (batch !== undefined) yield batch;
    }
  }

  /** Collates the loaded samples of one batch, applying the bad-sample policy. */
  private assemble(items: readonly WorkItem[], results: readonly ItemResult<T>[], batchIndex: number): B | undefined {
    const samples: T[] = [];
    results.forEach((result, k) => {
      if (result.ok) {
        samples.push(result.sample);
        return;
      }
      const index = items[k].index;
      // The sample's error may carry its own fix: the message quotes its reason, the fix says both once.
      const { error } = result;
      const message = `Loading sample ${index} (batch ${batchIndex}) failed: ${error.reason ?? error.message}`;
      if (this.onBadSample === 'skip' && error.kind === 'data-error') {
        this.badSamples++;
        this.warn(`skipped: ${message} [${this.badSamples} skipped so far, at most ${this.maxBadSamples}]`);
        if (this.badSamples > this.maxBadSamples) {
          throw new StrataError('data-error', `More than ${this.maxBadSamples} samples failed to load; the last: ${error.reason ?? error.message}`, {
            value: this.badSamples,
            fix: 'repair or remove the bad files, or raise maxBadSamples.',
          });
        }
        return;
      }
      const kind = error.kind === 'data-error' || error.kind === 'bad-input' ? error.kind : 'worker-failed';
      throw new StrataError(kind, message, { value: index, fix: sampleFix(kind, error, index), cause: error });
    });
    return samples.length === 0 ? undefined : this.collate(samples);
  }
}

/** A per-sample seed from the loader's seed, the epoch and the sample's position. */
export function sampleContext(seed: number, epoch: number, position: number): SampleContext {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35) ^ Math.imul(position + 1, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return { seed: (h ^ (h >>> 16)) >>> 0, epoch };
}

async function settle<T>(load: () => T | Promise<T>): Promise<ItemResult<T>> {
  try {
    return { ok: true, sample: await load() };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

/** The fix of a sample that failed to load: its own fix when it has one, and the bad-sample policy for a data error. */
function sampleFix(kind: string, error: SerializedError, index: number): string {
  if (kind !== 'data-error') return error.fix ?? `see the cause; item ${quote(index)} can be loaded alone with dataset.get(${index}).`;
  const own = error.fix ? error.fix.replace(/\.\s*$/, '') : 'repair or remove the file';
  return `${own}; or set the DataLoader's onBadSample: 'skip' to leave such samples out (at most maxBadSamples).`;
}
