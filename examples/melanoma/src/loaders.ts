import { DataLoader, WeightedRandomSampler, type Dataset } from '@strata/training';

export interface LoaderSettings {
  readonly batchSize: number;
  readonly numWorkers: number;
  readonly seed: number;
  /** Draws training samples with class-balanced weights instead of shuffling. */
  readonly balancedSampler: boolean;
  /** What an image that fails to load does (the DataLoader's `onBadSample`; default 'error'). */
  readonly onBadSample?: 'error' | 'skip';
}

/**
 * The training loader: shuffled, last incomplete batch dropped; or, with `balancedSampler`,
 * drawn with replacement by `WeightedRandomSampler.balanced(targets)` (each sample weighted by
 * the inverse of its class's count), so melanoma and benign come equally often while an epoch
 * keeps its length. The real data is 1.8% melanoma: without it a batch of 64 holds one on average.
 */
export function trainLoader(dataset: Dataset, targets: readonly number[], settings: LoaderSettings): DataLoader {
  const { batchSize, numWorkers, seed, onBadSample } = settings;
  if (!settings.balancedSampler) return new DataLoader(dataset, { batchSize, shuffle: true, seed, dropLast: true, numWorkers, onBadSample });
  const sampler = WeightedRandomSampler.balanced(targets, { numSamples: targets.length });
  return new DataLoader(dataset, { batchSize, sampler, seed, dropLast: true, numWorkers, onBadSample });
}

/** The validation loader: every image once, in order, in batches of the training size (as the seed's 64 and 64). */
export function valLoader(dataset: Dataset, settings: Pick<LoaderSettings, 'batchSize' | 'numWorkers' | 'onBadSample'>): DataLoader {
  return new DataLoader(dataset, { batchSize: settings.batchSize, numWorkers: settings.numWorkers, onBadSample: settings.onBadSample });
}

