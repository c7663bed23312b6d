// The data arguments of `fit`, `validate`, `test` and `predict`. They are types only, in a
// module of their own, so that data modules, argument parsing and the loops can name them
// without importing the Trainer.

/** Anything that yields batches: a `DataLoader`, an array, an async generator. */
export type Loader<B> = (AsyncIterable<B> | Iterable<B>) & { readonly length?: number; setEpoch?(epoch: number): void };

/** Where `fit`/`validate` resume from: the `ModelCheckpoint`'s last or best file, or a path. */
export interface FitOptions {
  readonly ckptPath?: 'last' | 'best' | (string & {});
}
