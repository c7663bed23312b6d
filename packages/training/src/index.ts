export { Trainer } from './trainer.js';
export type { Loader, FitOptions } from './loader.js';
export {
  resolveTrainerOptions,
  limitBatches,
  type TrainerOptions,
  type ResolvedTrainerOptions,
  type BatchLimit,
  type PrecisionInput,
  type ResolvedLimit,
  type TrainerSettings,
} from './trainer-options.js';
export type { FastestOptions } from './connectors/fastest/fastest-options.js';
export { TrainingModule, type LogOptions, type Loggable, type Hyperparameters } from './training-module.js';
export { DataModule, isDataModule, type Stage } from './data-module.js';
export type { Callback, EpochMetrics, TrainerView } from './callback.js';
export type { TrainerState } from './trainer-state.js';
export { LoggedMetrics } from './logged-metrics.js';
export { SeededRandom, seedEverything, globalRngState, setGlobalRngState, unseedEverything } from '@strata/core';
// Callbacks
export { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { ModelCheckpoint, formatCheckpointName, listCheckpoints, type ModelCheckpointOptions } from './callbacks/model-checkpoint.js';
export { LearningRateMonitor, type LearningRateMonitorOptions } from './callbacks/learning-rate-monitor.js';
export { GradientAccumulationScheduler } from './callbacks/gradient-accumulation-scheduler.js';
export { ProgressBar, type ProgressBarOptions, type ProgressStream } from './callbacks/progress-bar.js';
export { NonFiniteLossStop } from './callbacks/non-finite-loss-stop.js';
// Loggers
export { Logger, type LoggerOptions } from './loggers/logger.js';
export { CsvLogger } from './loggers/csv-logger.js';
export { TensorBoardLogger } from './loggers/tensor-board-logger.js';
export { JsonLinesLogger } from './loggers/json-lines-logger.js';
export { InPageLogger, type InPageLoggerOptions, type LoggedRow, type LogConsole } from './loggers/in-page-logger.js';
export { EventFileWriter, maskedCrc32c, tfRecord } from './loggers/event-file-writer.js';
// Precision
export { PrecisionPlugin } from './precision/precision.js';
export { MixedPrecision } from './precision/mixed-precision.js';
export { DynamicLossScaler, type DynamicLossScalerOptions, type LossScalerState } from './precision/dynamic-loss-scaler.js';
// Optimization
export { LrScheduler, type LrSchedulerState } from './optim/lr-scheduler.js';
export { StepLr, type StepLrOptions } from './optim/step-lr.js';
export { LambdaLr } from './optim/lambda-lr.js';
export { ReduceLrOnPlateau, type ReduceLrOnPlateauOptions } from './optim/reduce-lr-on-plateau.js';
export { getLearningRate, setLearningRate } from './optim/learning-rate.js';
export { FlatAdam } from './optim/flat-adam.js';
export type { OptimizerConfig, LrSchedulerConfig } from './optim/optimizer-config.js';
// Checkpoints
export { writeFileAtomic, type AtomicWriteHooks } from './checkpoint/atomic-write.js';
export { readCheckpointFile, writeCheckpointFile, type CheckpointFile, type TensorRecord } from './checkpoint/checkpoint-format.js';
export { readTrainerCheckpoint, type TrainerCheckpointMeta } from './checkpoint/checkpoint-connector.js';
export { BrowserCheckpointStorage, type BrowserStorageKind } from './checkpoint/browser-checkpoint-storage.js';
export { OpfsCheckpointStorage } from './checkpoint/opfs-checkpoint-storage.js';
export { IndexedDbCheckpointStorage } from './checkpoint/indexeddb-checkpoint-storage.js';
export type { CheckpointStorage, CheckpointWriteHooks } from './checkpoint/checkpoint-storage.js';
export { defaultCheckpointStorage } from './checkpoint/default-checkpoint-storage.js';
export type { SaveCheckpointOptions } from './checkpoint/save-checkpoint-options.js';
// Data
export * from './data/index.js';
export { trainableVariables, type HasTrainableWeights } from './layers-variables.js';
