/**
 * Chooses the sample indices of an epoch, like PyTorch's `Sampler`. The DataLoader batches them
 * in the order given.
 */
export interface Sampler {
  /** Indices per epoch. */
  readonly length: number;
  /** The indices of `epoch`; the same `seed` and `epoch` give the same list. */
  indices(epoch: number, seed: number): number[];
}
