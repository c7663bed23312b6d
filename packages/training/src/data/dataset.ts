import type { HostTensor } from '@strata/core';

// HostTensor is defined in @strata/core, so that @strata/vision can produce it without
// depending on this package; it is re-exported here next to the types that hold it.
export type { HostTensor };

/** One sample: named host tensors or plain numbers (labels, weights). */
export type Sample = Readonly<Record<string, HostTensor | number>>;

/**
 * What the `DataLoader` tells `get` about the sample it asks for: a seed that depends only on
 * the loader's seed, the epoch and the sample's position in it, so augmentations are the same
 * whichever worker thread runs them.
 */
export interface SampleContext {
  readonly seed: number;
  readonly epoch: number;
}

/**
 * A map-style dataset: a length and random access, like PyTorch's `Dataset`. `get` may be
 * asynchronous (decoding a file).
 */
export interface Dataset<T = Sample> {
  readonly length: number;
  get(index: number, context?: SampleContext): T | Promise<T>;
}

/**
 * Where a worker finds a copy of a dataset: a module (file URL or path of compiled JavaScript;
 * in a browser, the URL of an ES module, relative ones against the page) and the name of an
 * exported factory that it calls with `args` (anything structured-cloneable). A dataset that
 * has `workerSource` can be loaded by workers.
 */
export interface WorkerSource {
  readonly module: string | URL;
  /** The exported factory, `(args) => Dataset | Promise<Dataset>` (default 'createDataset'). */
  readonly exportName?: string;
  readonly args?: unknown;
}

/** A dataset that worker threads can rebuild. */
export interface WorkerSourcedDataset<T = Sample> extends Dataset<T> {
  readonly workerSource: WorkerSource;
}

/** Wraps an array as a dataset. */
export function arrayDataset<T>(items: readonly T[]): Dataset<T> {
  return { length: items.length, get: (i) => items[i] };
}
