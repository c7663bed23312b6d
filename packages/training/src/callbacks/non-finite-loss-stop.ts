import type { Callback, EpochMetrics, TrainerView } from '../callback.js';

/**
 * Watches each epoch's training loss for NaN or infinity (on by default). With `stop` (the
 * default, `stopOnNonFiniteLoss: true`) it stops training with a warning; without
 * (`stopOnNonFiniteLoss: false`) training goes on and every non-finite epoch gets one warning.
 * Either way `ModelCheckpoint` keeps the last finite checkpoints. It checks the epoch mean, which
 * is read at epoch end anyway: a non-finite step makes the sum non-finite, so no step is missed
 * and no step pays a read.
 */
export class NonFiniteLossStop implements Callback {
  constructor(
    readonly monitor = 'train_loss',
    private readonly warn: (message: string) => void = (m) => console.warn(m),
    readonly stop = true,
  ) {}

  onTrainEpochEnd(trainer: TrainerView, _module: unknown, metrics: EpochMetrics): void {
    const value = metrics[this.monitor];
    if (value === undefined || Number.isFinite(value)) return;
    const what = `${this.monitor} was ${value} in epoch ${trainer.currentEpoch}`;
    const advice = 'Lower the learning rate, clip gradients (gradientClipVal) or check the loss for log(0).';
    if (!this.stop) {
      this.warn(`${what} (step ${trainer.globalStep}); training goes on (stopOnNonFiniteLoss: false) and checkpoints keep the last finite state. ${advice}`);
      return;
    }
    trainer.shouldStop = true;
    trainer.stopReason = what;
    this.warn(`Stopping: ${trainer.stopReason} (step ${trainer.globalStep}). ${advice}`);
  }
}
