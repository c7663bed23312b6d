import type { Callback, EpochMetrics, TrainerView } from '../callback.js';

/**
 * Stops training when an epoch's training loss is NaN or infinite (on by default:
 * `stopOnNonFiniteLoss`). It checks the epoch mean, which is read at epoch end anyway: a
 * non-finite step makes the sum non-finite, so no step is missed and no step pays a read.
 */
export class NonFiniteLossStop implements Callback {
  constructor(
    readonly monitor = 'train_loss',
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {}

  onTrainEpochEnd(trainer: TrainerView, _module: unknown, metrics: EpochMetrics): void {
    const value = metrics[this.monitor];
    if (value === undefined || Number.isFinite(value)) return;
    trainer.shouldStop = true;
    trainer.stopReason = `${this.monitor} was ${value} in epoch ${trainer.currentEpoch}`;
    this.warn(`Stopping: ${trainer.stopReason} (step ${trainer.globalStep}). Lower the learning rate, clip gradients (gradientClipVal) or check the loss for log(0).`);
  }
}
