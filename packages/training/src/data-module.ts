import type { Loader } from './loader.js';

/** The stage a `DataModule` is set up for. */
export type Stage = 'fit' | 'validate' | 'test' | 'predict';

/**
 * Data loading kept apart from the model, as Lightning's `LightningDataModule`: the Trainer calls
 * `prepareData()` once, then `setup(stage)`, then asks for the loaders it needs.
 *
 * @example
 * class Spirals extends DataModule<Batch> {
 *   private train!: Sample[];
 *   setup(stage: Stage) { this.train = spirals(2048, 1); }
 *   trainDataloader() { return new DataLoader(arrayDataset(this.train), { batchSize: 64, shuffle: true }); }
 * }
 * await trainer.fit(module, new Spirals());
 */
export abstract class DataModule<B> {
  /** Downloads or writes data once per machine; called before `setup`. */
  prepareData?(): void | Promise<void>;
  /** Builds the datasets of `stage`. */
  setup?(stage: Stage): void | Promise<void>;
  teardown?(stage: Stage): void | Promise<void>;
  abstract trainDataloader(): Loader<B>;
  valDataloader?(): Loader<B> | readonly Loader<B>[];
  testDataloader?(): Loader<B> | readonly Loader<B>[];
  predictDataloader?(): Loader<B> | readonly Loader<B>[];
}

/** True for a `DataModule` (or anything shaped like one), as opposed to a loader. */
export function isDataModule<B>(value: unknown): value is DataModule<B> {
  return typeof value === 'object' && value !== null && typeof (value as DataModule<B>).trainDataloader === 'function';
}
