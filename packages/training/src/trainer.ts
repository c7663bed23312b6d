import type * as tf from '@tensorflow/tfjs-core';
import { StrataError, type DistributionStrategy } from '@strata/core';
import type { Callback, EpochMetrics, TrainerView } from './callback.js';
import type { ModelCheckpoint } from './callbacks/model-checkpoint.js';
import { resolveCheckpointPath, saveTrainerCheckpoint } from './checkpoint/checkpoint-connector.js';
import type { CheckpointStorage } from './checkpoint/checkpoint-storage.js';
import { defaultCheckpointStorage } from './checkpoint/default-checkpoint-storage.js';
import type { SaveCheckpointOptions } from './checkpoint/save-checkpoint-options.js';
import { CallbackConnector, checkpointCallbackOf, defaultCallbacks } from './connectors/callback-connector.js';
import { LoggerConnector, createLoggers } from './connectors/logger-connector.js';
import { StrategyConnector } from './connectors/strategy-connector.js';
import type { DataModule, Stage } from './data-module.js';
import type { FitOptions, Loader } from './loader.js';
import type { Logger } from './loggers/logger.js';
import type { LogOptions, Loggable } from './logging-types.js';
import { EvaluationLoop } from './loops/evaluation-loop.js';
import { FitLoop } from './loops/fit-loop.js';
import { OptimizationLoop } from './loops/optimization-loop.js';
import { PredictionLoop } from './loops/prediction-loop.js';
import { TrainingEpochLoop } from './loops/training-epoch-loop.js';
import type { ResolvedScheduler } from './optim/optimizer-config.js';
import type { PrecisionPlugin } from './precision/precision.js';
import { resolveTrainerOptions, type ResolvedTrainerOptions, type TrainerOptions } from './trainer-options.js';
import type { TrainingModule } from './training-module.js';

/**
 * Owns the engineering code: the strategy, the loops, gradient accumulation and clipping,
 * precision, validation, logging, checkpoints. It talks only to the `DistributionStrategy`
 * contract and imports no backend. Tensors are read only at epoch ends (and, in fp16, one flag
 * per optimizer step), never per step otherwise: on the TPU strategy a read is a round trip.
 *
 * The Trainer holds the public state that callbacks, loggers and modules read (`TrainerView`);
 * the work is done by its loops (loops/: fit, training epoch, optimization, evaluation,
 * prediction) and connectors (connectors/: strategy, logging, callbacks; checkpoint/).
 *
 * @example
 * seedEverything(42);
 * const trainer = new Trainer({
 *   strategy: 'cpu', maxEpochs: 10, accumulateGradBatches: 2, gradientClipVal: 1,
 *   defaultRootDir: 'runs', callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 3 })],
 * });
 * await trainer.fit(new Classifier(), trainLoader, valLoader);
 * // A new module starts a new run; this one resumes it from the last checkpoint's state.
 * await trainer.fit(new Classifier(), trainLoader, valLoader, { ckptPath: 'last' });
 */
export class Trainer implements TrainerView {
  readonly options: ResolvedTrainerOptions;
  /** The epoch running now (0-based). */
  currentEpoch = 0;
  /** Optimizer steps taken. */
  globalStep = 0;
  /** Set by a callback to end training (after `minEpochs`). */
  shouldStop = false;
  /** Why training stopped early, when it did. */
  stopReason: string | undefined;
  /** The latest epoch-level metrics (train and validation). */
  callbackMetrics: Record<string, number> = {};
  /** One entry per finished epoch: its train and validation means, and `epoch`. */
  readonly history: EpochMetrics[] = [];
  /** The optimizer `configureOptimizers` returned, once `fit` has started; disposed when a `fit` starts a run for another module. */
  optimizer: tf.Optimizer | undefined;
  /** Its learning-rate schedulers. */
  lrSchedulers: ResolvedScheduler[] = [];
  /** Gradient accumulation in force this epoch (a schedule may change it; under `globalBatchSize`, the device count sets it). */
  accumulateGradBatches: number;
  /** Samples per optimizer step: the `globalBatchSize` option, or the one a resumed checkpoint recorded; undefined when neither sets one. */
  globalBatchSize: number | undefined;
  /** Training batches this epoch will run, after limits (Infinity when the loader has no length). */
  numTrainingBatches = Infinity;
  /** Batches of the current epoch done so far. */
  batchesDone = 0;
  /** True while the sanity validation runs. */
  sanityChecking = false;
  /** What runs now. */
  stage: Stage | undefined;
  readonly precisionPlugin: PrecisionPlugin;
  readonly loggers: readonly Logger[];
  readonly callbacks: readonly Callback[];
  /** The module being run, while `fit`/`validate`/`test`/`predict` runs. */
  module: TrainingModule<never> | undefined;
  /** Names shown in the progress bar. */
  readonly progBarNames = new Set<string>();

  private readonly strategyConnector: StrategyConnector;
  private readonly logging: LoggerConnector;
  private readonly epochLoop: TrainingEpochLoop;
  private readonly fitLoop: FitLoop;
  private readonly evaluationLoop: EvaluationLoop;
  private readonly predictionLoop: PredictionLoop;

  constructor(options: TrainerOptions = {}) {
    this.options = resolveTrainerOptions(options);
    this.accumulateGradBatches = this.options.accumulateGradBatches;
    this.globalBatchSize = this.options.globalBatchSize;
    this.strategyConnector = new StrategyConnector(this.options);
    this.precisionPlugin = this.strategyConnector.precisionPlugin;
    this.loggers = createLoggers(this.options.logger, this.defaultRootDir);
    this.callbacks = defaultCallbacks(this.options);

    this.logging = new LoggerConnector(this);
    const callbacks = new CallbackConnector(this);
    const optimization = new OptimizationLoop(this, this.logging);
    this.evaluationLoop = new EvaluationLoop(this, this.logging, callbacks);
    this.epochLoop = new TrainingEpochLoop(this, this.logging, callbacks, optimization, this.evaluationLoop);
    this.fitLoop = new FitLoop(this, this.logging, callbacks, this.epochLoop, optimization, this.evaluationLoop, this.strategyConnector);
    this.predictionLoop = new PredictionLoop(this);
  }

  /** The directory checkpoints and logs default to. */
  get defaultRootDir(): string {
    return this.options.defaultRootDir ?? (typeof process !== 'undefined' ? process.cwd() : '.');
  }

  /** The strategy in use, once `fit`/`validate` has resolved it. */
  get strategy(): DistributionStrategy {
    return this.strategyConnector.strategy;
  }

  /** The first `ModelCheckpoint` among the callbacks. */
  get checkpointCallback(): ModelCheckpoint | undefined {
    return checkpointCallbackOf(this.callbacks);
  }

  /**
   * Resolves the strategy (by name through the installed backends' DI modules), checks the
   * precision against its capabilities, sets it, and sets the strategy up.
   */
  async setupStrategy(): Promise<DistributionStrategy> {
    return this.strategyConnector.setup();
  }

  /**
   * Trains `module`. Data: loaders (`trainLoader`, then validation loaders) or a `DataModule`.
   * `{ ckptPath }` resumes from a checkpoint: 'last', 'best' or a path.
   *
   * Order: the strategy is set up, the data checked, then `module.configureModel()` (once per
   * module) and `configureOptimizers()` run inside the strategy's scope, the checkpoint is
   * restored, and the hooks, preflight, sanity check and epochs follow.
   *
   * Empty data: a training loader of length 0 is a `StrataError` (kind 'data-error') thrown
   * before any hook, naming the loader and the fix; the Trainer stays as it was. A loader
   * without a length that yields no batch in an epoch fails the same way at that epoch's end
   * (as a generator object does in its second epoch). A validation loader of length 0 gets a
   * warning and is skipped (Lightning's "Total length of `DataLoader` across ranks is zero");
   * when every validation loader is empty, validation is skipped, unless a callback or a
   * scheduler monitors a validation metric (`val_*`), which is then a `StrataError` naming it.
   *
   * A second `fit`: with the module of the current run, training continues from the epoch,
   * step and optimizer state where the last one stopped (after a stop request inside an epoch,
   * from that epoch's next batch); when `maxEpochs` or `maxSteps` is already reached it warns,
   * naming the limit, and returns without running. With another module it starts a new run:
   * the previous optimizer is disposed, the counters, history and metrics reset, callbacks and
   * the precision plugin get back the state they had when the first run started, and the new
   * module's `configureModel` and `configureOptimizers` run; callbacks and loggers see a whole
   * fit again (setup, onFitStart, ..., teardown). Disposing the previous module's variables is
   * the caller's.
   */
  async fit<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    train: Loader<B> | DataModule<B>,
    valLoaders?: Loader<B> | readonly Loader<B>[] | FitOptions,
    fitOptions: FitOptions = {},
  ): Promise<void> {
    return this.fitLoop.run(module, train, valLoaders, fitOptions);
  }

  /**
   * Runs one validation epoch and returns its metrics (optionally from a checkpoint first).
   * Calls `configureModel` first when the module has not run yet; empty loaders are skipped with a warning.
   */
  async validate<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    options: FitOptions = {},
  ): Promise<Record<string, number>> {
    return this.evaluationLoop.evaluate(module, loaders, 'validate', options);
  }

  /** Runs the test loop (`testStep`) and returns its metrics; `configureModel` and empty loaders as in `validate`. */
  async test<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    options: FitOptions = {},
  ): Promise<Record<string, number>> {
    return this.evaluationLoop.evaluate(module, loaders, 'test', options);
  }

  /**
   * Runs `predictStep` (default: `forward` of `batch.x`) over the loaders and returns the
   * predictions in order, as tensors the caller owns and disposes; `configureModel` and empty
   * loaders as in `validate`.
   */
  async predict<B extends tf.TensorContainer, P extends tf.TensorContainer = tf.Tensor>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    options: FitOptions = {},
  ): Promise<P[]> {
    return this.predictionLoop.run<B, P>(module, loaders, options);
  }

  /** Called by `TrainingModule.log`. */
  recordLog(name: string, value: Loggable, options: LogOptions): void {
    this.logging.recordLog(name, value, options);
  }

  /** Sends metrics (plain numbers) to every logger at `step` (default: the global step). */
  async logMetrics(metrics: Readonly<Record<string, number>>, step = this.globalStep): Promise<void> {
    await this.logging.logMetrics(metrics, step);
  }

  /** The running epoch's progress-bar training metrics so far (the progress bar reads them as it redraws). */
  async readRunningMetrics(): Promise<Record<string, number>> {
    const state = await this.logging.trainMetrics.stateDict((t) => this.strategy.read(t));
    return Object.fromEntries(Object.entries(state).filter(([, e]) => e.progBar && e.count > 0).map(([name, e]) => [name, e.sum / e.count]));
  }

  /** Where checkpoints are written and read: the first `ModelCheckpoint`'s storage, else the platform's. */
  get checkpointStorage(): CheckpointStorage {
    return this.checkpointCallback?.storage ?? defaultCheckpointStorage();
  }

  /**
   * Saves the whole training state to `path` (see checkpoint/checkpoint-format.ts), atomically.
   * Called by `ModelCheckpoint`; callable from any callback hook. A state with a NaN or infinite
   * weight, optimizer slot or running loss is refused (a `StrataError` of kind 'non-finite').
   */
  async saveCheckpoint(path: string, options: SaveCheckpointOptions = {}): Promise<void> {
    // Gradients accumulated but not yet applied are not saved: ModelCheckpoint saves right after
    // optimizer steps and at epoch ends, where there are none.
    if (!this.module || !this.optimizer) {
      throw new StrataError('not-set-up', 'saveCheckpoint needs a running fit().', { fix: 'call it from a callback during fit(), or after fit() with the module still attached.' });
    }
    await saveTrainerCheckpoint(this, this.module, path, options, {
      epochCompleted: this.epochLoop.epochCompleted,
      trainMetrics: this.epochLoop.interruptedTrainMetrics ?? (await this.logging.trainMetrics.stateDict((t) => this.strategy.read(t))),
    });
  }

  /** The checkpoint path for 'last', 'best' or a path. */
  resolveCheckpointPath(ckptPath: string): Promise<string> {
    return resolveCheckpointPath(this, ckptPath, this.checkpointCallback);
  }
}
