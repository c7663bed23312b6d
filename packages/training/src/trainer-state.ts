import type * as tf from '@tensorflow/tfjs-core';
import type { DistributionStrategy } from '@strata/core';
import type { SaveCheckpointOptions } from './checkpoint/save-checkpoint-options.js';
import type { CheckpointStorage } from './checkpoint/checkpoint-storage.js';
import type { Stage } from './data-module.js';
import type { Logger } from './loggers/logger.js';
import type { LogOptions, Loggable } from './logging-types.js';
import type { ResolvedScheduler } from './optim/optimizer-config.js';
import type { PrecisionPlugin } from './precision/precision.js';
import type { TrainerSettings } from './trainer-settings.js';

/** Numbers logged over an epoch: the mean of each metric, by name. */
export type EpochMetrics = Readonly<Record<string, number>>;

/**
 * The Trainer's public state and services as a running `TrainingModule` sees them
 * (`module.trainer`): counters, metrics, the optimizer, the strategy, logging and checkpoints.
 * `Trainer` implements it. It names no module and no callback, so the module can hold it
 * without an import circle; callbacks get the wider `TrainerView` (callback.ts).
 */
export interface TrainerState {
  /** The resolved settings (the callbacks and loggers are on `TrainerView` and `Trainer`). */
  readonly options: TrainerSettings;
  /** The epoch running now (0-based). */
  currentEpoch: number;
  /** Optimizer steps taken. */
  globalStep: number;
  /** Set by a callback to end training (after `minEpochs`). */
  shouldStop: boolean;
  /** Why training stopped early, when it did. */
  stopReason: string | undefined;
  /** The latest epoch-level metrics (train and validation). */
  callbackMetrics: Record<string, number>;
  /** One entry per finished epoch: its train and validation means, and `epoch`. */
  readonly history: EpochMetrics[];
  /** The optimizer `configureOptimizers` returned, once `fit` has started. */
  optimizer: tf.Optimizer | undefined;
  /** Its learning-rate schedulers. */
  lrSchedulers: ResolvedScheduler[];
  /** Gradient accumulation in force this epoch (a schedule may change it; under `globalBatchSize`, the device count sets it). */
  accumulateGradBatches: number;
  /** Samples per optimizer step: the `globalBatchSize` option, or the one a resumed checkpoint recorded; undefined when neither sets one. */
  globalBatchSize: number | undefined;
  /** Training batches this epoch will run, after limits (Infinity when the loader has no length). */
  numTrainingBatches: number;
  /** Batches of the current epoch done so far. */
  batchesDone: number;
  /** True while the sanity validation runs. */
  sanityChecking: boolean;
  /** What runs now. */
  stage: Stage | undefined;
  readonly precisionPlugin: PrecisionPlugin;
  readonly loggers: readonly Logger[];
  /** Names shown in the progress bar. */
  readonly progBarNames: Set<string>;
  /** The directory checkpoints and logs default to. */
  readonly defaultRootDir: string;
  /** The strategy in use, once `fit`/`validate` has resolved it. */
  readonly strategy: DistributionStrategy;

  /** Resolves the strategy, checks and sets the precision, and sets the strategy up. */
  setupStrategy(): Promise<DistributionStrategy>;
  /** Called by `TrainingModule.log`. */
  recordLog(name: string, value: Loggable, options: LogOptions): void;
  /** Sends metrics (plain numbers) to every logger at `step` (default: the global step). */
  logMetrics(metrics: Readonly<Record<string, number>>, step?: number): Promise<void>;
  /**
   * The means so far of the running training epoch's progress-bar metrics (`train_loss` and what
   * the module logged with `progBar`), read from the devices now: one small read per metric.
   */
  readRunningMetrics(): Promise<Record<string, number>>;
  /** Where checkpoints are written and read: the first `ModelCheckpoint`'s storage, else the platform's. */
  readonly checkpointStorage: CheckpointStorage;
  /** Saves the whole training state to `path`, atomically; refuses a non-finite state (see `SaveCheckpointOptions`). */
  saveCheckpoint(path: string, options?: SaveCheckpointOptions): Promise<void>;
  /** The checkpoint path for 'last', 'best' or a path. */
  resolveCheckpointPath(ckptPath: string): Promise<string>;
}
