import type { Callback, TrainerView } from '../callback.js';
import { GradientAccumulationScheduler } from '../callbacks/gradient-accumulation-scheduler.js';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import { NonFiniteLossStop } from '../callbacks/non-finite-loss-stop.js';
import { ProgressBar } from '../callbacks/progress-bar.js';
import type { ResolvedTrainerOptions } from '../trainer-options.js';

/**
 * The Trainer's callbacks: the user's, with the defaults the options ask for. A default is
 * left out when the user gave one of its kind; `ModelCheckpoint`s go last, as in Lightning, so
 * they save the state the other callbacks just updated.
 */
export function defaultCallbacks(options: ResolvedTrainerOptions): Callback[] {
  const user = [...options.callbacks];
  const out: Callback[] = [];
  // Without stopOnNonFiniteLoss it still warns on each non-finite epoch.
  if (!user.some((c) => c instanceof NonFiniteLossStop)) out.push(new NonFiniteLossStop('train_loss', undefined, options.stopOnNonFiniteLoss));
  if (options.accumulationSchedule && !user.some((c) => c instanceof GradientAccumulationScheduler)) {
    out.push(new GradientAccumulationScheduler(options.accumulationSchedule));
  }
  out.push(...user);
  if (options.enableProgressBar && !user.some((c) => c instanceof ProgressBar)) out.push(new ProgressBar());
  if (options.enableCheckpointing && !user.some((c) => c instanceof ModelCheckpoint)) out.push(new ModelCheckpoint());
  return [...out.filter((c) => !(c instanceof ModelCheckpoint)), ...out.filter((c) => c instanceof ModelCheckpoint)];
}

/** The first `ModelCheckpoint` among `callbacks`: where 'last' and 'best' checkpoints are found. */
export function checkpointCallbackOf(callbacks: readonly Callback[]): ModelCheckpoint | undefined {
  return callbacks.find((c): c is ModelCheckpoint => c instanceof ModelCheckpoint);
}

/** Runs the trainer's callback hooks for the loops. */
export class CallbackConnector {
  constructor(private readonly trainer: TrainerView) {}

  /** Calls `fn` on each callback in order, awaiting each before the next. */
  async each(fn: (c: Callback) => unknown): Promise<void> {
    for (const callback of this.trainer.callbacks) await fn(callback);
  }
}
