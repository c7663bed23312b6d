import type { Trainer } from './trainer.js';
import type { TrainingModule } from './training-module.js';

/** Numbers logged over an epoch: the mean of each metric, by name. */
export type EpochMetrics = Readonly<Record<string, number>>;

/**
 * Hooks into the Trainer's loop, like Lightning's `Callback`. Every method is optional and may
 * be asynchronous. Order within an epoch: onTrainEpochStart, per batch onTrainBatchStart and
 * onTrainBatchEnd, then validation (onValidationEpochStart, onValidationEpochEnd), the epoch's
 * learning-rate schedulers, and onTrainEpochEnd (with train and validation metrics), where
 * `ModelCheckpoint` saves: so a checkpoint holds the whole state of a finished epoch.
 *
 * A callback with state to resume (EarlyStopping's patience, ModelCheckpoint's best scores)
 * gives a `stateKey` and `stateDict`/`loadStateDict`; the checkpoint stores it under that key.
 */
export interface Callback {
  /** Key of this callback's state in checkpoints; unique among the Trainer's callbacks. */
  readonly stateKey?: string;
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;

  setup?(trainer: Trainer, module: TrainingModule<never>, stage: string): void | Promise<void>;
  teardown?(trainer: Trainer, module: TrainingModule<never>, stage: string): void | Promise<void>;
  onFitStart?(trainer: Trainer, module: TrainingModule<never>): void | Promise<void>;
  onFitEnd?(trainer: Trainer, module: TrainingModule<never>): void | Promise<void>;
  onSanityCheckStart?(trainer: Trainer, module: TrainingModule<never>): void | Promise<void>;
  onSanityCheckEnd?(trainer: Trainer, module: TrainingModule<never>): void | Promise<void>;
  onTrainEpochStart?(trainer: Trainer, module: TrainingModule<never>): void | Promise<void>;
  onTrainBatchStart?(trainer: Trainer, module: TrainingModule<never>, batchIndex: number): void | Promise<void>;
  /** After each training batch; `trainer.globalStep` says whether an optimizer step happened. Never reads a tensor. */
  onTrainBatchEnd?(trainer: Trainer, module: TrainingModule<never>, batchIndex: number): void | Promise<void>;
  onTrainEpochEnd?(trainer: Trainer, module: TrainingModule<never>, metrics: EpochMetrics): void | Promise<void>;
  onValidationEpochStart?(trainer: Trainer, module: TrainingModule<never>): void | Promise<void>;
  onValidationEpochEnd?(trainer: Trainer, module: TrainingModule<never>, metrics: EpochMetrics): void | Promise<void>;
  onTestEpochStart?(trainer: Trainer, module: TrainingModule<never>): void | Promise<void>;
  onTestEpochEnd?(trainer: Trainer, module: TrainingModule<never>, metrics: EpochMetrics): void | Promise<void>;
  onException?(trainer: Trainer, module: TrainingModule<never>, error: unknown): void | Promise<void>;
}
