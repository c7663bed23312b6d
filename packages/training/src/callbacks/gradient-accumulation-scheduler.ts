import { invalidOption } from '@strata/core';
import type { Callback, TrainerView } from '../callback.js';
import { accumulationFor } from '../trainer-options.js';

/**
 * Changes gradient accumulation by epoch, as Lightning's: `{ 0: 8, 4: 4 }` accumulates 8
 * batches for epochs 0-3 and 4 from epoch 4. The Trainer adds one when
 * `accumulateGradBatches` is a schedule.
 *
 * @example new Trainer({ callbacks: [new GradientAccumulationScheduler({ 0: 8, 4: 4, 8: 1 })] })
 */
export class GradientAccumulationScheduler implements Callback {
  readonly scheduling: Readonly<Record<number, number>>;

  constructor(scheduling: Readonly<Record<number, number>>) {
    const keys = Object.keys(scheduling);
    if (keys.length === 0) invalidOption('scheduling', scheduling, 'a non-empty schedule such as { 0: 8, 4: 4 }');
    for (const k of keys) {
      const factor = (scheduling as Record<string, number>)[k];
      if (!Number.isInteger(Number(k)) || Number(k) < 0 || !Number.isInteger(factor) || factor < 1) {
        invalidOption('scheduling', scheduling, 'epochs (integers >= 0) mapped to factors (integers >= 1)');
      }
    }
    this.scheduling = scheduling;
  }

  /** The factor in force at `epoch`. */
  factorAt(epoch: number): number {
    return accumulationFor(this.scheduling, epoch);
  }

  onTrainEpochStart(trainer: TrainerView): void {
    trainer.accumulateGradBatches = this.factorAt(trainer.currentEpoch);
  }
}
