import type { CheckpointStorage, CheckpointWriteHooks } from './checkpoint-storage.js';

/** How `Trainer.saveCheckpoint` writes. */
export interface SaveCheckpointOptions extends CheckpointWriteHooks {
  /** Where the file goes (default: the Trainer's `checkpointStorage`). */
  readonly storage?: CheckpointStorage;
  /**
   * Write even when a weight, an optimizer slot or the running training loss is NaN or infinite
   * (default false: such a state is refused with a `StrataError` of kind 'non-finite', so that
   * no checkpoint ever holds a diverged model).
   */
  readonly allowNonFinite?: boolean;
}
