import type { Callback, TrainerView } from '@strata/training';

/**
 * A stop button's link to the Trainer: after `request()`, the running fit stops after the batch
 * in progress (the Trainer's `shouldStop`), and a checkpoint taken then resumes inside the epoch.
 */
export class StopRequest implements Callback {
  private requested = false;

  request(): void {
    this.requested = true;
  }

  get isRequested(): boolean {
    return this.requested;
  }

  onTrainBatchEnd(trainer: TrainerView): void {
    if (this.requested) trainer.shouldStop = true;
  }
}
