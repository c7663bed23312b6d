import { formatEpochLine } from '@strata/example-melanoma/epoch-line';
import type { Callback, EpochMetrics, TrainerView, TrainingModule } from '@strata/training';

/**
 * Hands each finished epoch's `Epoch N | AUC: ...` line (the melanoma example's format) to
 * `print`, with the epoch's numbers, and a line saying where an epoch cut short by a stop
 * ended. Validation runs inside the training epoch, so the line is made at the training epoch's
 * end; the sanity check's validation is left out.
 */
export class EpochLines implements Callback {
  private pendingVal: EpochMetrics | undefined;
  private epochStarted = 0;

  /** `print` gets each line, its epoch, and the epoch's numbers (none for an epoch cut short). */
  constructor(private readonly print: (line: string, epoch: number, metrics: { trainLoss: number; valAuc: number } | undefined) => void) {}

  onTrainEpochStart(): void {
    this.epochStarted = performance.now();
  }

  onValidationEpochEnd(trainer: TrainerView, _module: TrainingModule<never>, metrics: EpochMetrics): void {
    if (!trainer.sanityChecking) this.pendingVal = metrics;
  }

  onTrainEpochEnd(trainer: TrainerView, _module: TrainingModule<never>, metrics: EpochMetrics): void {
    const val = this.pendingVal ?? {};
    this.pendingVal = undefined;
    // An epoch cut short by a stop gets no history entry: it has no epoch line either.
    if (trainer.history.at(-1)?.epoch !== trainer.currentEpoch) {
      this.print(`Epoch ${trainer.currentEpoch} stopped after ${trainer.batchesDone} of ${trainer.numTrainingBatches} batches`, trainer.currentEpoch, undefined);
      return;
    }
    const row = { train_loss: metrics.train_loss ?? Number.NaN, val_loss: val.val_loss ?? Number.NaN, val_auc: val.val_auc ?? Number.NaN, val_acc: val.val_acc ?? Number.NaN };
    const line = formatEpochLine(trainer.currentEpoch, row, (performance.now() - this.epochStarted) / 1000);
    this.print(line, trainer.currentEpoch, { trainLoss: row.train_loss, valAuc: row.val_auc });
  }
}
