import type { LoggedRow } from '@strata/training';

/** The training loss of one optimizer step (1-based, as the Trainer's loggers count steps). */
export interface StepLoss {
  readonly step: number;
  readonly loss: number;
}

/**
 * The step's training loss in a logged row (the Trainer sends `train_loss_step` every
 * `logEveryNSteps`, which the run sets to 1), or undefined for rows without it.
 */
export function stepLossOf(row: LoggedRow): StepLoss | undefined {
  const loss = row.metrics.train_loss_step;
  return loss === undefined ? undefined : { step: row.step, loss };
}
