import type { EpochMetrics, TrainerState } from './trainer-state.js';
import type { TrainingModule } from './training-module.js';

export type { EpochMetrics } from './trainer-state.js';

/**
 * The Trainer as callbacks see it: its public state (`TrainerState`), its callbacks and the
 * module it runs. `Trainer` implements it. It lives with `Callback` because each names the
 * other, and neither imports the Trainer, which imports both.
 */
export interface TrainerView extends TrainerState {
  readonly callbacks: readonly Callback[];
  /** The module being run, while `fit`/`validate`/`test`/`predict` runs. */
  module: TrainingModule<never> | undefined;
}

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

  setup?(trainer: TrainerView, module: TrainingModule<never>, stage: string): void | Promise<void>;
  teardown?(trainer: TrainerView, module: TrainingModule<never>, stage: string): void | Promise<void>;
  onFitStart?(trainer: TrainerView, module: TrainingModule<never>): void | Promise<void>;
  onFitEnd?(trainer: TrainerView, module: TrainingModule<never>): void | Promise<void>;
  onSanityCheckStart?(trainer: TrainerView, module: TrainingModule<never>): void | Promise<void>;
  onSanityCheckEnd?(trainer: TrainerView, module: TrainingModule<never>): void | Promise<void>;
  onTrainEpochStart?(trainer: TrainerView, module: TrainingModule<never>): void | Promise<void>;
  onTrainBatchStart?(trainer: TrainerView, module: TrainingModule<never>, batchIndex: number): void | Promise<void>;
  /** After each training batch; `trainer.globalStep` says whether an optimizer step happened. Never reads a tensor. */
  onTrainBatchEnd?(trainer: TrainerView, module: TrainingModule<never>, batchIndex: number): void | Promise<void>;
  onTrainEpochEnd?(trainer: TrainerView, module: TrainingModule<never>, metrics: EpochMetrics): void | Promise<void>;
  onValidationEpochStart?(trainer: TrainerView, module: TrainingModule<never>): void | Promise<void>;
  onValidationEpochEnd?(trainer: TrainerView, module: TrainingModule<never>, metrics: EpochMetrics): void | Promise<void>;
  onTestEpochStart?(trainer: TrainerView, module: TrainingModule<never>): void | Promise<void>;
  onTestEpochEnd?(trainer: TrainerView, module: TrainingModule<never>, metrics: EpochMetrics): void | Promise<void>;
  onException?(trainer: TrainerView, module: TrainingModule<never>, error: unknown): void | Promise<void>;
}
