import type * as tf from '@tensorflow/tfjs-core';

// What a module logs and records, in a module of its own so that loggers, the logged-metrics
// store and the Trainer's views name these types without importing `TrainingModule`.

export interface LogOptions {
  /** In training, send the value of each `logEveryNSteps`-th step to the loggers as `<name>_step` (default true). */
  readonly onStep?: boolean;
  /** Record the mean over the epoch (default: true). */
  readonly onEpoch?: boolean;
  /** Show it in the epoch line and progress bar (default: true). */
  readonly progBar?: boolean;
}

/** A value logged by a module: a scalar tensor (read later, asynchronously) or a number. */
export type Loggable = tf.Scalar | tf.Tensor | number;

/** Hyperparameters: JSON-like values, saved in checkpoints and sent to the loggers. */
export type Hyperparameters = Record<string, string | number | boolean | null>;
