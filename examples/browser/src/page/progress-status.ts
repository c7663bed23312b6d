import type { Callback, TrainerView } from '@strata/training';

/** Where the run is: the epoch, the batch within it (1-based) and the optimizer step. */
export interface Progress {
  readonly epoch: number;
  readonly batch: number;
  readonly step: number;
}

/**
 * Reports the run's progress after each training batch, and once, when a fit resumed from a
 * checkpoint, where it resumed (the restored epoch and step, read at its first epoch start).
 */
export class ProgressStatus implements Callback {
  private started = false;

  constructor(
    private readonly resuming: boolean,
    private readonly onProgress: (progress: Progress) => void,
    private readonly onResumed: (at: { readonly epoch: number; readonly step: number }) => void,
  ) {}

  onTrainEpochStart(trainer: TrainerView): void {
    if (this.started) return;
    this.started = true;
    // A run that had no checkpoint to resume from starts at step 0: nothing to report.
    if (this.resuming && trainer.globalStep > 0) this.onResumed({ epoch: trainer.currentEpoch, step: trainer.globalStep });
  }

  onTrainBatchEnd(trainer: TrainerView, _module: unknown, batchIndex: number): void {
    this.onProgress({ epoch: trainer.currentEpoch, batch: batchIndex + 1, step: trainer.globalStep });
  }
}
