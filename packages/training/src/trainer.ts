import * as tf from '@tensorflow/tfjs-core';
import { StrataError, assertNoMissingKernels, createStrata, invalidOption, type DistributionStrategy } from '@strata/core';
import type { Callback, EpochMetrics } from './callback.js';
import { GradientAccumulationScheduler } from './callbacks/gradient-accumulation-scheduler.js';
import { ModelCheckpoint } from './callbacks/model-checkpoint.js';
import { NonFiniteLossStop } from './callbacks/non-finite-loss-stop.js';
import { ProgressBar } from './callbacks/progress-bar.js';
import type { AtomicWriteHooks } from './checkpoint/atomic-write.js';
import { readTrainerCheckpoint, restoreTrainerCheckpoint, saveTrainerCheckpoint } from './checkpoint/checkpoint-connector.js';
import { isDataModule, type DataModule, type Stage } from './data-module.js';
import { addInto, allFinite, clipGradients, keepAll, scaleAll } from './gradients.js';
import { LoggedMetrics, type LoggedMetricsState } from './logged-metrics.js';
import { CsvLogger } from './loggers/csv-logger.js';
import type { Logger } from './loggers/logger.js';
import { resolveOptimizers, type ResolvedScheduler } from './optim/optimizer-config.js';
import { assertStrategyPrecision, precisionPluginFor, strategiesSupporting } from './precision/precision-connector.js';
import type { PrecisionPlugin } from './precision/precision.js';
import { globalRngState, setGlobalRngState } from './random.js';
import { isOneShot, isOptions, isZero, listOf, validationInterval } from './loader-arguments.js';
import { limitBatches, resolveTrainerOptions, type ResolvedLimit, type ResolvedTrainerOptions, type TrainerOptions } from './trainer-options.js';
import type { LogOptions, Loggable, TrainingModule } from './training-module.js';

/** Anything that yields batches: a `DataLoader`, an array, an async generator. */
export type Loader<B> = (AsyncIterable<B> | Iterable<B>) & { readonly length?: number; setEpoch?(epoch: number): void };

/** Where `fit`/`validate` resume from: the `ModelCheckpoint`'s last or best file, or a path. */
export interface FitOptions {
  readonly ckptPath?: 'last' | 'best' | (string & {});
}

type Phase = 'train' | 'validate' | 'test' | 'silent';
type AnyModule = TrainingModule<never>;

interface StepLog {
  readonly step: number;
  readonly name: string;
  readonly value: tf.Tensor | number;
}

/**
 * Owns the engineering code: the strategy, the loops, gradient accumulation and clipping,
 * precision, validation, logging, checkpoints. It talks only to the `DistributionStrategy`
 * contract and imports no backend. Tensors are read only at epoch ends (and, in fp16, one flag
 * per optimizer step), never per step otherwise: on the TPU strategy a read is a round trip.
 *
 * @example
 * seedEverything(42);
 * const trainer = new Trainer({
 *   strategy: 'cpu', maxEpochs: 10, accumulateGradBatches: 2, gradientClipVal: 1,
 *   defaultRootDir: 'runs', callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 3 })],
 * });
 * await trainer.fit(new Classifier(), trainLoader, valLoader);
 * await trainer.fit(new Classifier(), trainLoader, valLoader, { ckptPath: 'last' }); // resume
 */
export class Trainer {
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
  /** The optimizer `configureOptimizers` returned, once `fit` has started. */
  optimizer: tf.Optimizer | undefined;
  /** Its learning-rate schedulers. */
  lrSchedulers: ResolvedScheduler[] = [];
  /** Gradient accumulation in force this epoch (a schedule may change it). */
  accumulateGradBatches: number;
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
  module: AnyModule | undefined;
  /** Names shown in the progress bar. */
  readonly progBarNames = new Set<string>();

  private resolved: DistributionStrategy | undefined;
  private precisionSet = false;
  private phase: Phase = 'silent';
  private readonly trainMetrics = new LoggedMetrics();
  private readonly evalMetrics = new LoggedMetrics();
  private stepLogs: StepLog[] = [];
  private logStepNow = false;
  private accumulated: tf.NamedTensorMap | undefined;
  private epochCompleted = false;
  private resumeBatches = 0;
  private pendingRng: { seed: number; state: number } | undefined;
  private evalLoaderIndex = 0;
  private evalLoaderCount = 1;

  constructor(options: TrainerOptions = {}) {
    this.options = resolveTrainerOptions(options);
    this.accumulateGradBatches = this.options.accumulateGradBatches;
    this.precisionPlugin = precisionPluginFor(this.options.precision);
    if (typeof this.options.strategy === 'object') {
      // Known now: fail at construction rather than after data loading.
      assertStrategyPrecision(this.options.strategy, this.options.precision);
      this.resolved = this.options.strategy;
    }
    if (this.options.deterministic && !globalRngState()) {
      invalidOption('deterministic', true, 'used after seedEverything(seed) (call it before creating the Trainer), or false');
    }
    const root = this.defaultRootDir;
    const logger = this.options.logger;
    this.loggers = logger === true ? [new CsvLogger({ saveDir: root })] : logger === false ? [] : logger;
    for (const l of this.loggers) l.setDefaultRootDir(root);
    this.callbacks = this.defaultCallbacks();
  }

  /** The directory checkpoints and logs default to. */
  get defaultRootDir(): string {
    return this.options.defaultRootDir ?? (typeof process !== 'undefined' ? process.cwd() : '.');
  }

  /** The strategy in use, once `fit`/`validate` has resolved it. */
  get strategy(): DistributionStrategy {
    if (!this.resolved) throw new StrataError('not-set-up', 'The Trainer resolves its strategy in fit() or validate().', { fix: 'call fit(), validate() or setupStrategy() first.' });
    return this.resolved;
  }

  /** The first `ModelCheckpoint` among the callbacks. */
  get checkpointCallback(): ModelCheckpoint | undefined {
    return this.callbacks.find((c): c is ModelCheckpoint => c instanceof ModelCheckpoint);
  }

  /**
   * Resolves the strategy (by name through the installed backends' DI modules), checks the
   * precision against its capabilities, sets it, and sets the strategy up.
   */
  async setupStrategy(): Promise<DistributionStrategy> {
    if (!this.resolved) {
      const name = typeof this.options.strategy === 'string' ? this.options.strategy : undefined;
      this.resolved = (await createStrata({ strategy: name, devices: this.options.devices })).strategy;
    }
    const strategy = this.resolved;
    if (!this.precisionSet) {
      const precision = this.options.precision;
      if (!strategy.capabilities().precisions.includes(precision)) assertStrategyPrecision(strategy, precision, await strategiesSupporting(precision));
      strategy.setPrecision(precision);
      this.precisionSet = true;
    }
    await strategy.setup();
    return strategy;
  }

  /**
   * Trains `module`. Data: loaders (`trainLoader`, then validation loaders) or a `DataModule`.
   * `{ ckptPath }` resumes from a checkpoint: 'last', 'best' or a path.
   */
  async fit<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    train: Loader<B> | DataModule<B>,
    valLoaders?: Loader<B> | readonly Loader<B>[] | FitOptions,
    fitOptions: FitOptions = {},
  ): Promise<void> {
    let options = fitOptions;
    let vals: Loader<B>[];
    let trainLoader: Loader<B>;
    if (valLoaders !== undefined && isOptions(valLoaders)) {
      options = valLoaders;
      valLoaders = undefined;
    }
    const strategy = await this.setupStrategy();
    if (isDataModule<B>(train)) {
      await train.prepareData?.();
      await train.setup?.('fit');
      trainLoader = train.trainDataloader();
      vals = listOf(valLoaders as Loader<B> | readonly Loader<B>[] | undefined) ?? listOf(train.valDataloader?.()) ?? [];
    } else {
      trainLoader = train;
      vals = listOf(valLoaders as Loader<B> | readonly Loader<B>[] | undefined) ?? [];
    }
    const m = module as unknown as AnyModule;
    this.module = m;
    module.trainer = this;
    this.stage = 'fit';
    this.shouldStop = false;
    this.stopReason = undefined;
    let status: 'success' | 'failed' = 'failed';
    try {
      if (!this.optimizer) {
        const resolved = resolveOptimizers(strategy.scope(() => module.configureOptimizers()));
        this.optimizer = resolved.optimizer;
        this.lrSchedulers = resolved.schedulers;
      }
      if (options.ckptPath !== undefined) await this.restore(options.ckptPath);
      if (Object.keys(module.hparams).length > 0) for (const l of this.loggers) await l.logHyperparams(module.hparams);
      await this.each((c) => c.setup?.(this, m, 'fit'));
      await module.onFitStart?.();
      await this.each((c) => c.onFitStart?.(this, m));

      // A one-shot iterator (a generator object) would lose its first batch to the preflight.
      if (this.options.preflight && !isOneShot(trainLoader)) await this.preflight(strategy, module, trainLoader);
      if (this.options.numSanityValSteps > 0 && module.validationStep && vals.length > 0 && !isZero(this.options.limitValBatches)) {
        this.sanityChecking = true;
        await this.each((c) => c.onSanityCheckStart?.(this, m));
        try {
          // As Lightning: min(numSanityValSteps, limitValBatches) batches of each loader.
          const sanityLimit = vals.map((v) => Math.min(this.options.numSanityValSteps, limitBatches('limitValBatches', this.options.limitValBatches, v.length)));
          await this.evaluationLoop(strategy, module, vals, 'validate', { kind: 'count', value: Math.min(...sanityLimit) }, true);
        } finally {
          this.sanityChecking = false;
        }
        await this.each((c) => c.onSanityCheckEnd?.(this, m));
      }
      if (this.pendingRng) setGlobalRngState(this.pendingRng);
      this.pendingRng = undefined;

      await this.fitLoop(strategy, module, trainLoader, vals);
      await module.onFitEnd?.();
      await this.each((c) => c.onFitEnd?.(this, m));
      status = 'success';
    } catch (error) {
      await this.each((c) => c.onException?.(this, m, error));
      throw error;
    } finally {
      this.phase = 'silent';
      this.disposeAccumulated();
      for (const l of this.loggers) await l.finalize(status);
      await this.each((c) => c.teardown?.(this, m, 'fit'));
      if (isDataModule<B>(train)) await train.teardown?.('fit');
      module.trainer = undefined;
      this.stage = undefined;
    }
  }

  /** Runs one validation epoch and returns its metrics (optionally from a checkpoint first). */
  async validate<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    options: FitOptions = {},
  ): Promise<Record<string, number>> {
    return this.evaluate(module, loaders, 'validate', options);
  }

  /** Runs the test loop (`testStep`) and returns its metrics. */
  async test<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    options: FitOptions = {},
  ): Promise<Record<string, number>> {
    return this.evaluate(module, loaders, 'test', options);
  }

  /**
   * Runs `predictStep` (default: `forward` of `batch.x`) over the loaders and returns the
   * predictions in order, as tensors the caller owns and disposes.
   */
  async predict<B extends tf.TensorContainer, P extends tf.TensorContainer = tf.Tensor>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    options: FitOptions = {},
  ): Promise<P[]> {
    const strategy = await this.setupStrategy();
    const list = await this.loadersFor(loaders, 'predict');
    module.trainer = this;
    this.module = module as unknown as AnyModule;
    this.stage = 'predict';
    try {
      if (options.ckptPath !== undefined) await this.restore(options.ckptPath, { weightsOnly: true });
      const out: P[] = [];
      for (const loader of list) {
        const limit = limitBatches('limitPredictBatches', this.options.limitPredictBatches, loader.length);
        let i = 0;
        for await (const raw of loader) {
          if (i >= limit) {
            tf.dispose(raw);
            break;
          }
          const batch = strategy.distributeBatch(raw);
          const index = i;
          out.push(
            await strategy.runStep(() => {
              if (module.predictStep) return module.predictStep(batch, index) as P;
              const input = (batch as unknown as { x?: tf.Tensor }).x ?? (batch as unknown as tf.Tensor);
              return module.forward(input) as unknown as P;
            }),
          );
          tf.dispose(batch);
          i++;
        }
      }
      return out;
    } finally {
      module.trainer = undefined;
      this.stage = undefined;
    }
  }

  /** Called by `TrainingModule.log`. */
  recordLog(name: string, value: Loggable, options: LogOptions): void {
    if (this.phase === 'silent') return;
    const key = this.phase !== 'train' && this.evalLoaderCount > 1 ? `${name}/dataloader_idx_${this.evalLoaderIndex}` : name;
    const progBar = options.progBar !== false;
    // Step-level values exist in training only; evaluation logs epoch means.
    if (this.phase === 'train' && this.logStepNow && options.onStep !== false) this.queueStepLog(`${key}_step`, value);
    if (options.onEpoch === false) return;
    (this.phase === 'train' ? this.trainMetrics : this.evalMetrics).add(key, value, progBar);
  }

  /** Sends metrics (plain numbers) to every logger at `step` (default: the global step). */
  async logMetrics(metrics: Readonly<Record<string, number>>, step = this.globalStep): Promise<void> {
    for (const l of this.loggers) await l.logMetrics(metrics, step);
  }

  /**
   * Saves the whole training state to `path` (see checkpoint/checkpoint-format.ts), atomically.
   * Called by `ModelCheckpoint`; callable from any callback hook.
   */
  async saveCheckpoint(path: string, hooks?: AtomicWriteHooks): Promise<void> {
    // Gradients accumulated but not yet applied are not saved: ModelCheckpoint saves right after
    // optimizer steps and at epoch ends, where there are none.
    if (!this.module || !this.optimizer) {
      throw new StrataError('not-set-up', 'saveCheckpoint needs a running fit().', { fix: 'call it from a callback during fit(), or after fit() with the module still attached.' });
    }
    await saveTrainerCheckpoint(this, this.module, path, hooks, {
      epochCompleted: this.epochCompleted,
      trainMetrics: this.interruptedTrainMetrics ?? (await this.trainMetrics.stateDict((t) => this.strategy.read(t))),
    });
  }

  /** The checkpoint path for 'last', 'best' or a path. */
  resolveCheckpointPath(ckptPath: string): string {
    if (ckptPath !== 'last' && ckptPath !== 'best') return ckptPath;
    const mc = this.checkpointCallback;
    if (!mc) {
      throw new StrataError('invalid-option', `ckptPath: ${JSON.stringify(ckptPath)} needs a ModelCheckpoint callback.`, {
        value: ckptPath,
        fix: 'add a ModelCheckpoint (or defaultRootDir, which adds one), or pass the checkpoint file path.',
      });
    }
    return ckptPath === 'last' ? mc.lastPath(this) : mc.bestPath(this);
  }

  private async restore(ckptPath: string, options: { weightsOnly?: boolean } = {}): Promise<void> {
    const path = this.resolveCheckpointPath(ckptPath);
    const file = readTrainerCheckpoint(path);
    const restored = await restoreTrainerCheckpoint(this, this.module!, file, path, options);
    if (options.weightsOnly) return;
    this.currentEpoch = restored.epoch;
    this.globalStep = restored.globalStep;
    this.resumeBatches = restored.batchIndex;
    this.history.splice(0, this.history.length, ...restored.history);
    this.callbackMetrics = { ...restored.callbackMetrics };
    this.trainMetrics.loadStateDict(restored.trainMetrics);
    this.pendingRng = restored.rng;
  }

  private async evaluate<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    kind: 'validate' | 'test',
    options: FitOptions,
  ): Promise<Record<string, number>> {
    const strategy = await this.setupStrategy();
    const list = await this.loadersFor(loaders, kind);
    module.trainer = this;
    this.module = module as unknown as AnyModule;
    this.stage = kind;
    try {
      if (options.ckptPath !== undefined) await this.restore(options.ckptPath, { weightsOnly: true });
      const limit = kind === 'test' ? this.options.limitTestBatches : this.options.limitValBatches;
      const metrics = await this.evaluationLoop(strategy, module, list, kind, limit, false);
      for (const l of this.loggers) await l.save();
      return metrics;
    } finally {
      module.trainer = undefined;
      this.stage = undefined;
    }
  }

  private async loadersFor<B>(loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>, stage: Stage): Promise<Loader<B>[]> {
    if (!isDataModule<B>(loaders)) return listOf(loaders) ?? [];
    await loaders.prepareData?.();
    await loaders.setup?.(stage);
    const made = stage === 'validate' ? loaders.valDataloader?.() : stage === 'test' ? loaders.testDataloader?.() : loaders.predictDataloader?.();
    const list = listOf(made);
    if (!list) {
      throw new StrataError('invalid-option', `The DataModule has no ${stage === 'validate' ? 'valDataloader' : `${stage}Dataloader`}().`, {
        fix: `implement it in your DataModule, or pass loaders to ${stage}().`,
      });
    }
    return list;
  }

  private canStop(): boolean {
    return this.currentEpoch + (this.epochCompleted ? 1 : 0) >= this.options.minEpochs;
  }

  private maxStepsReached(): boolean {
    return this.options.maxSteps >= 0 && this.globalStep >= this.options.maxSteps;
  }

  private async fitLoop<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, loader: Loader<B>, vals: Loader<B>[]): Promise<void> {
    while (this.currentEpoch < this.options.maxEpochs && !this.maxStepsReached()) {
      if (this.shouldStop) {
        if (this.canStop()) break;
        this.shouldStop = false; // Lightning: a stop before minEpochs is ignored
      }
      await this.runEpoch(strategy, module, loader, vals);
      this.interruptedTrainMetrics = undefined;
      if (!this.epochCompleted) break;
      this.currentEpoch += 1;
      this.epochCompleted = false;
    }
  }

  private async runEpoch<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, loader: Loader<B>, vals: Loader<B>[]): Promise<void> {
    const m = module as unknown as AnyModule;
    const epoch = this.currentEpoch;
    this.epochCompleted = false;
    await this.each((c) => c.onTrainEpochStart?.(this, m));
    await module.onTrainEpochStart?.();
    // overfitBatches trains on the same batches every epoch: keep the loader on its first order.
    loader.setEpoch?.(this.options.overfitBatches ? 0 : epoch);
    const numBatches = limitBatches('limitTrainBatches', this.options.limitTrainBatches, loader.length);
    this.numTrainingBatches = numBatches;
    const validateThisEpoch = vals.length > 0 && !!module.validationStep && (epoch + 1) % this.options.checkValEveryNEpoch === 0 && !isZero(this.options.limitValBatches);
    const valEvery = validationInterval(this.options.valCheckInterval, numBatches);
    const skip = this.resumeBatches;
    this.resumeBatches = 0;
    this.batchesDone = skip;
    let index = 0;
    // Cut short by maxSteps or a stop request: the epoch is not finished, so a checkpoint taken
    // now resumes inside it, and it gets no history entry and no epoch scheduler step.
    let interrupted = false;
    for await (const raw of loader) {
      if (index >= numBatches) {
        tf.dispose(raw);
        break;
      }
      if ((this.shouldStop && this.canStop()) || this.maxStepsReached()) {
        interrupted = true;
        tf.dispose(raw);
        break;
      }
      if (index < skip) {
        // Resuming mid-epoch: these batches were trained before the checkpoint.
        tf.dispose(raw);
        index++;
        continue;
      }
      await this.trainBatch(strategy, module, raw, index, index === numBatches - 1);
      if (validateThisEpoch && valEvery !== undefined && (index + 1) % valEvery === 0) {
        const metrics = await this.evaluationLoop(strategy, module, vals, 'validate', this.options.limitValBatches, false);
        // Validations inside the epoch go to the loggers at their step; the last also joins the epoch's line.
        if (index + 1 !== numBatches) await this.logMetrics({ ...metrics, epoch });
      }
      index++;
    }
    if (this.accumulated !== undefined && !interrupted) await this.flushAccumulated(strategy);
    this.disposeAccumulated();
    // As Lightning: with valCheckInterval, validation runs at its multiples only; without, at the end.
    if (validateThisEpoch && valEvery === undefined) {
      await this.evaluationLoop(strategy, module, vals, 'validate', this.options.limitValBatches, false);
    }
    this.phase = 'train';
    try {
      await module.onTrainEpochEnd?.();
    } finally {
      this.phase = 'silent';
    }
    this.interruptedTrainMetrics = interrupted ? await this.trainMetrics.stateDict((t) => strategy.read(t)) : undefined;
    const train = await this.trainMetrics.drain((t) => strategy.read(t));
    train.progBar.forEach((n) => this.progBarNames.add(n));
    Object.assign(this.callbackMetrics, train.all);
    if (!interrupted) await this.stepSchedulers('epoch');
    this.epochCompleted = !interrupted;
    const metrics = { ...train.all, ...this.lastValMetrics, epoch };
    this.lastValMetrics = {};
    if (!interrupted) this.history.push(metrics);
    await this.flushStepLogs(strategy);
    await this.logMetrics(metrics);
    await this.each((c) => c.onTrainEpochEnd?.(this, m, metrics));
    for (const l of this.loggers) await l.save();
  }

  private lastValMetrics: Record<string, number> = {};
  private interruptedTrainMetrics: LoggedMetricsState | undefined;

  private async trainBatch<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, raw: B, index: number, isLast: boolean): Promise<void> {
    const m = module as unknown as AnyModule;
    await module.onTrainBatchStart?.(raw, index);
    await this.each((c) => c.onTrainBatchStart?.(this, m, index));
    const batch = strategy.distributeBatch(raw);
    const accumulate = this.accumulateGradBatches;
    const stepNow = (index + 1) % accumulate === 0 || isLast;
    const plugin = this.precisionPlugin;
    // The loss is divided by the accumulation (a mean over the accumulated batches) and
    // multiplied by the fp16 loss scale; both are undone for the logged value.
    const factor = plugin.lossScale / accumulate;
    const optimizer = this.optimizer!;
    this.logStepNow = stepNow && (this.globalStep + 1) % this.options.logEveryNSteps === 0;
    this.phase = 'train';
    let out: { loss: tf.Scalar; finite?: tf.Scalar };
    try {
      out = await strategy.runStep(() => {
        const { value, grads } = tf.variableGrads(() => {
          const loss = module.trainingStep(batch, index);
          return factor === 1 ? loss : (tf.mul(loss, factor) as tf.Scalar);
        }, module.parameters());
        const summed = this.accumulated === undefined ? grads : addInto(this.accumulated, grads);
        const loss = factor === 1 ? value : (tf.div(value, factor) as tf.Scalar);
        if (!stepNow) {
          this.accumulated = keepAll(summed);
          return { loss };
        }
        this.accumulated = undefined;
        if (plugin.checksFinite) {
          // fp16: the skip decision needs the flag on the host (as torch's GradScaler reads it).
          const unscaled = keepAll(scaleAll(summed, 1 / plugin.lossScale));
          this.accumulated = unscaled;
          return { loss, finite: allFinite(unscaled) };
        }
        optimizer.applyGradients(this.finishGradients(summed, plugin.lossScale));
        return { loss };
      });
    } finally {
      this.phase = 'silent';
    }
    if (out.finite) {
      const finite = (await strategy.read(out.finite))[0] !== 0;
      out.finite.dispose();
      if (plugin.update(finite)) {
        const grads = this.accumulated!;
        await strategy.runStep(() => {
          optimizer.applyGradients(this.finishGradients(grads, 1));
          return {};
        });
      }
      this.disposeAccumulated();
    }
    this.trainMetrics.add('train_loss', out.loss, true);
    if (this.logStepNow) this.queueStepLog('train_loss_step', out.loss);
    this.logStepNow = false;
    out.loss.dispose();
    tf.dispose(batch);
    this.batchesDone = index + 1;
    if (stepNow) {
      this.globalStep++;
      await this.stepSchedulers('step');
    }
    await module.onTrainBatchEnd?.(index);
    await this.each((c) => c.onTrainBatchEnd?.(this, m, index));
  }

  /** Unscales (when `scale` is not 1) and clips, after accumulation: the order torch's AMP recipe uses. */
  private finishGradients(grads: tf.NamedTensorMap, scale: number): tf.NamedTensorMap {
    const unscaled = scaleAll(grads, 1 / scale);
    const clip = this.options.gradientClipVal;
    return clip === undefined ? unscaled : clipGradients(unscaled, clip, this.options.gradientClipAlgorithm);
  }

  /** A loader without a length cannot tell its last batch: apply what remains after it. */
  private async flushAccumulated(strategy: DistributionStrategy): Promise<void> {
    const grads = this.accumulated!;
    const plugin = this.precisionPlugin;
    let apply = true;
    if (plugin.checksFinite) {
      const flag = await strategy.runStep(() => allFinite(scaleAll(grads, 1 / plugin.lossScale)));
      apply = plugin.update((await strategy.read(flag))[0] !== 0);
      flag.dispose();
    }
    if (apply) {
      await strategy.runStep(() => {
        this.optimizer!.applyGradients(this.finishGradients(grads, plugin.lossScale));
        return {};
      });
    }
    this.disposeAccumulated();
    this.globalStep++;
    await this.stepSchedulers('step');
  }

  private disposeAccumulated(): void {
    if (this.accumulated) tf.dispose(Object.values(this.accumulated));
    this.accumulated = undefined;
  }

  private async stepSchedulers(interval: 'epoch' | 'step'): Promise<void> {
    const count = interval === 'step' ? this.globalStep : this.currentEpoch + 1;
    for (const s of this.lrSchedulers) {
      if (s.interval !== interval || count % s.frequency !== 0) continue;
      let metric: number | undefined;
      if (s.monitor !== undefined) {
        metric = this.callbackMetrics[s.monitor];
        if (metric === undefined) {
          throw new StrataError('invalid-option', `The learning-rate scheduler monitors ${JSON.stringify(s.monitor)}, which was not logged.`, {
            value: s.monitor,
            fix: `log it with this.log(${JSON.stringify(s.monitor)}, value), or monitor one of: ${Object.keys(this.callbackMetrics).join(', ') || '(none logged yet)'}.`,
          });
        }
      }
      s.scheduler.step(metric);
    }
  }

  private async evaluationLoop<B extends tf.TensorContainer>(
    strategy: DistributionStrategy,
    module: TrainingModule<B>,
    loaders: Loader<B>[],
    kind: 'validate' | 'test',
    limit: ResolvedLimit,
    sanity: boolean,
  ): Promise<Record<string, number>> {
    const step = kind === 'test' ? module.testStep : module.validationStep;
    if (!step) {
      if (kind === 'test') throw new StrataError('invalid-option', 'Trainer.test() needs testStep on the module.', { fix: 'implement testStep(batch, batchIndex) and log metrics in it.' });
      return {};
    }
    const m = module as unknown as AnyModule;
    if (!sanity) {
      if (kind === 'test') {
        await this.each((c) => c.onTestEpochStart?.(this, m));
        await module.onTestEpochStart?.();
      } else {
        await this.each((c) => c.onValidationEpochStart?.(this, m));
        await module.onValidationEpochStart?.();
      }
    }
    this.evalLoaderCount = loaders.length;
    const phase: Phase = sanity ? 'silent' : kind;
    for (const [loaderIndex, loader] of loaders.entries()) {
      this.evalLoaderIndex = loaderIndex;
      const max = limitBatches(kind === 'test' ? 'limitTestBatches' : 'limitValBatches', limit, loader.length);
      let index = 0;
      for await (const raw of loader) {
        if (index >= max) {
          tf.dispose(raw);
          break;
        }
        const batch = strategy.distributeBatch(raw);
        this.phase = phase;
        const i = index;
        try {
          await strategy.runStep(() => {
            step.call(module, batch, i);
            return {};
          });
        } finally {
          this.phase = 'silent';
        }
        tf.dispose(batch);
        index++;
      }
    }
    this.evalLoaderIndex = 0;
    if (sanity) {
      this.evalMetrics.clear();
      this.evalLoaderCount = 1;
      return {};
    }
    this.phase = kind;
    try {
      await (kind === 'test' ? module.onTestEpochEnd?.() : module.onValidationEpochEnd?.());
    } finally {
      this.phase = 'silent';
      this.evalLoaderCount = 1;
    }
    const drained = await this.evalMetrics.drain((t) => strategy.read(t));
    drained.progBar.forEach((n) => this.progBarNames.add(n));
    Object.assign(this.callbackMetrics, drained.all);
    if (kind === 'validate' && this.stage === 'fit') this.lastValMetrics = { ...this.lastValMetrics, ...drained.all };
    // During fit, validation metrics go to the loggers with the epoch's line; on their own, now.
    if (this.stage !== 'fit') await this.logMetrics(drained.all);
    if (kind === 'test') await this.each((c) => c.onTestEpochEnd?.(this, m, drained.all));
    else await this.each((c) => c.onValidationEpochEnd?.(this, m, drained.all));
    return drained.all;
  }

  private queueStepLog(name: string, value: Loggable): void {
    if (this.loggers.length === 0) return; // step values only go to loggers
    const kept = typeof value === 'number' ? value : tf.keep(value.size === 1 ? value.clone() : tf.mean(value));
    this.stepLogs.push({ step: this.globalStep + 1, name, value: kept });
  }

  /** Reads the queued step-level values (once, at epoch end) and sends them to the loggers. */
  private async flushStepLogs(strategy: DistributionStrategy): Promise<void> {
    const logs = this.stepLogs;
    this.stepLogs = [];
    if (logs.length === 0) return;
    const values = await Promise.all(logs.map((l) => (typeof l.value === 'number' ? l.value : strategy.read(l.value).then((d) => d[0]))));
    tf.dispose(logs.map((l) => l.value).filter((v): v is tf.Tensor => typeof v !== 'number'));
    const bySteps = new Map<number, Record<string, number>>();
    logs.forEach((l, i) => bySteps.set(l.step, { ...(bySteps.get(l.step) ?? {}), [l.name]: values[i] }));
    if (this.loggers.length === 0) return;
    for (const [step, metrics] of bySteps) await this.logMetrics({ ...metrics, epoch: this.currentEpoch }, step);
  }

  /** One forward and backward pass on the first batch, with no update, naming missing kernels. */
  private async preflight<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, loader: Loader<B>): Promise<void> {
    loader.setEpoch?.(this.currentEpoch);
    let first: B | undefined;
    for await (const raw of loader) {
      first = raw;
      break;
    }
    if (first === undefined) return;
    const batch = strategy.distributeBatch(first);
    this.phase = 'silent';
    try {
      const report = await strategy.preflight(() => {
        // Build lazily created layers first, so that the gradient covers their variables.
        module.trainingStep(batch, 0);
        const { value, grads } = tf.variableGrads(() => module.trainingStep(batch, 0), module.parameters());
        tf.dispose([value, ...Object.values(grads)]);
      });
      assertNoMissingKernels(report);
    } finally {
      tf.dispose(batch);
    }
  }

  private defaultCallbacks(): Callback[] {
    const user = [...this.options.callbacks];
    const out: Callback[] = [];
    if (this.options.stopOnNonFiniteLoss && !user.some((c) => c instanceof NonFiniteLossStop)) out.push(new NonFiniteLossStop());
    if (this.options.accumulationSchedule && !user.some((c) => c instanceof GradientAccumulationScheduler)) {
      out.push(new GradientAccumulationScheduler(this.options.accumulationSchedule));
    }
    out.push(...user);
    if (this.options.enableProgressBar && !user.some((c) => c instanceof ProgressBar)) out.push(new ProgressBar());
    if (this.options.enableCheckpointing && !user.some((c) => c instanceof ModelCheckpoint)) out.push(new ModelCheckpoint());
    // As Lightning: checkpoints last, so they save the state the other callbacks just updated.
    return [...out.filter((c) => !(c instanceof ModelCheckpoint)), ...out.filter((c) => c instanceof ModelCheckpoint)];
  }

  private async each(fn: (c: Callback) => unknown): Promise<void> {
    for (const callback of this.callbacks) await fn(callback);
  }
}
