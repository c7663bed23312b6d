import * as tf from '@tensorflow/tfjs-core';
import { StrataError, assertNoMissingKernels, setGlobalRngState, type DistributionStrategy } from '@strata/core';
import type { TrainerView } from '../callback.js';
import { restoreCheckpoint } from '../checkpoint/checkpoint-connector.js';
import type { CallbackConnector } from '../connectors/callback-connector.js';
import type { LoggerConnector } from '../connectors/logger-connector.js';
import type { StrategyConnector } from '../connectors/strategy-connector.js';
import { isDataModule, type DataModule } from '../data-module.js';
import { isOneShot, isOptions, isZero, listOf } from '../loader-arguments.js';
import type { FitOptions, Loader } from '../loader.js';
import type { TrainingModule } from '../training-module.js';
import { configureModelOnce } from './configure-model.js';
import { assertNoValidationMonitor, assertTrainLoaderHasBatches, runnableLoaders } from './empty-loaders.js';
import type { EvaluationLoop } from './evaluation-loop.js';
import { FitRuns } from './fit-runs.js';
import { GradientAccumulationScheduler } from '../callbacks/gradient-accumulation-scheduler.js';
import { microBatchLoader, planGlobalBatch } from './global-batch.js';
import type { OptimizationLoop } from './optimization-loop.js';
import type { TrainingEpochLoop } from './training-epoch-loop.js';

type AnyModule = TrainingModule<never>;

/**
 * `Trainer.fit`, as Lightning's fit loop: checks the data, sets the run up (strategy, the
 * module's model and optimizers, resume from a checkpoint, hooks), runs the preflight and the
 * sanity check, then the epochs until `maxEpochs`, `maxSteps` or a stop request, and tears down
 * whatever happens. A second `fit` continues or restarts the run (see fit-runs.ts).
 */
export class FitLoop {
  /** The generator state of a restored checkpoint: set after the preflight and the sanity check, so that their draws do not shift training's. */
  private pendingRng: { seed: number; state: number } | undefined;
  /** The micro-batch size a restored checkpoint's batch index counts in, under `globalBatchSize`. */
  private restoredMicroBatch: number | undefined;
  private readonly runs: FitRuns;

  constructor(
    private readonly trainer: TrainerView,
    private readonly logging: LoggerConnector,
    private readonly callbacks: CallbackConnector,
    private readonly epochLoop: TrainingEpochLoop,
    private readonly optimization: OptimizationLoop,
    private readonly evaluation: EvaluationLoop,
    private readonly strategies: StrategyConnector,
  ) {
    this.runs = new FitRuns(trainer, logging, epochLoop);
  }

  async run<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    train: Loader<B> | DataModule<B>,
    valLoaders: Loader<B> | readonly Loader<B>[] | FitOptions | undefined,
    fitOptions: FitOptions,
  ): Promise<void> {
    const trainer = this.trainer;
    let options = fitOptions;
    if (valLoaders !== undefined && isOptions(valLoaders)) {
      options = valLoaders;
      valLoaders = undefined;
    }
    const m = module as unknown as AnyModule;
    const continues = this.runs.continues(m);
    const finished = continues && options.ckptPath === undefined ? this.runs.finishedBecause() : undefined;
    if (finished !== undefined) {
      console.warn(`Trainer.fit: nothing to run: this module has already trained ${finished} on this Trainer. To train further, pass it to a Trainer with a larger limit (with { ckptPath } to carry the optimizer state over), or pass another module to start a new run.`);
      return;
    }
    let strategy = await trainer.setupStrategy();
    const { trainLoader, vals, validationSkipped } = await this.loaders(module, train, valLoaders as Loader<B> | readonly Loader<B>[] | undefined);
    trainer.module = m;
    module.trainer = trainer;
    trainer.stage = 'fit';
    trainer.shouldStop = false;
    trainer.stopReason = undefined;
    let status: 'success' | 'failed' = 'failed';
    let ownedLoader: { close?(): Promise<void> } | undefined;
    try {
      configureModelOnce(m, strategy);
      // 'fastest' chooses here, with the module's variables made and before its optimizer is.
      strategy = await this.strategies.strategyForTraining(module, trainLoader, trainer.currentEpoch);
      if (continues) this.runs.continueRun();
      else this.runs.startRun(m, strategy);
      if (validationSkipped) assertNoValidationMonitor([], trainer.lrSchedulers);
      if (options.ckptPath !== undefined) {
        await this.restore(options.ckptPath);
        const finishedRun = this.runs.finishedBecause();
        if (finishedRun !== undefined) console.warn(`Trainer.fit: the checkpoint ${JSON.stringify(options.ckptPath)} has already trained ${finishedRun}; no epoch runs. To train further, raise the Trainer's limit.`);
      }
      const micro = this.globalBatch(strategy, trainLoader);
      if (micro.owned) ownedLoader = micro.loader as { close?(): Promise<void> };
      const loader = micro.loader;
      if (Object.keys(module.hparams).length > 0) for (const l of trainer.loggers) await l.logHyperparams(module.hparams);
      await this.callbacks.each((c) => c.setup?.(trainer, m, 'fit'));
      await module.onFitStart?.();
      await this.callbacks.each((c) => c.onFitStart?.(trainer, m));

      // A one-shot iterator (a generator object) would lose its first batch to the preflight.
      if (trainer.options.preflight && !isOneShot(loader)) await this.preflight(strategy, module, loader);
      if (trainer.options.numSanityValSteps > 0 && module.validationStep && vals.length > 0 && !isZero(trainer.options.limitValBatches)) {
        await this.evaluation.sanityCheck(strategy, module, vals);
      }
      if (this.pendingRng) setGlobalRngState(this.pendingRng);
      this.pendingRng = undefined;

      await this.loop(strategy, module, loader, vals);
      await module.onFitEnd?.();
      await this.callbacks.each((c) => c.onFitEnd?.(trainer, m));
      status = 'success';
    } catch (error) {
      await this.callbacks.each((c) => c.onException?.(trainer, m, error));
      throw error;
    } finally {
      this.logging.phase = 'silent';
      this.optimization.disposeAccumulated();
      this.logging.trainMetrics.clear();
      this.logging.evalMetrics.clear();
      for (const l of trainer.loggers) await l.finalize(status);
      await this.callbacks.each((c) => c.teardown?.(trainer, m, 'fit'));
      if (isDataModule<B>(train)) await train.teardown?.('fit');
      await ownedLoader?.close?.();
      module.trainer = undefined;
      trainer.stage = undefined;
    }
  }

  /**
   * The training loader and the validation loaders that run, checked before any hook: an empty
   * training loader is an error, an empty validation loader a warning (see empty-loaders.ts);
   * `validationSkipped` when every validation loader given is empty.
   * A DataModule's loaders come after its prepareData and setup, and its teardown runs when a
   * check fails.
   */
  private async loaders<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    train: Loader<B> | DataModule<B>,
    valLoaders: Loader<B> | readonly Loader<B>[] | undefined,
  ): Promise<{ trainLoader: Loader<B>; vals: Loader<B>[]; validationSkipped: boolean }> {
    let trainLoader: Loader<B>;
    let vals: Loader<B>[];
    if (isDataModule<B>(train)) {
      await train.prepareData?.();
      await train.setup?.('fit');
      trainLoader = train.trainDataloader();
      vals = listOf(valLoaders) ?? listOf(train.valDataloader?.()) ?? [];
    } else {
      trainLoader = train;
      vals = listOf(valLoaders) ?? [];
    }
    try {
      assertTrainLoaderHasBatches(trainLoader);
      const validates = module.validationStep !== undefined && !isZero(this.trainer.options.limitValBatches);
      const runnable = validates ? runnableLoaders(vals, 'fit', 'validation') : vals;
      const validationSkipped = vals.length > 0 && runnable.length === 0;
      if (validationSkipped) assertNoValidationMonitor(this.trainer.callbacks, []);
      return { trainLoader, vals: runnable, validationSkipped };
    } catch (error) {
      if (isDataModule<B>(train)) await train.teardown?.('fit');
      throw error;
    }
  }

  /** The epochs: until `maxEpochs` or `maxSteps`, or a stop request once `minEpochs` have run. */
  private async loop<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, loader: Loader<B>, vals: Loader<B>[]): Promise<void> {
    const trainer = this.trainer;
    const epochLoop = this.epochLoop;
    while (trainer.currentEpoch < trainer.options.maxEpochs && !epochLoop.maxStepsReached()) {
      if (trainer.shouldStop) {
        if (epochLoop.canStop()) break;
        trainer.shouldStop = false; // Lightning: a stop before minEpochs is ignored
      }
      await epochLoop.run(strategy, module, loader, vals);
      this.runs.noteUnfinishedEpoch(trainer.batchesDone, epochLoop.interruptedTrainMetrics);
      if (!epochLoop.epochCompleted) break;
      trainer.currentEpoch += 1;
      // At an epoch boundary none of the next epoch's batches is done (a checkpoint saved now resumes there).
      trainer.batchesDone = 0;
      epochLoop.epochCompleted = false;
    }
  }

  /**
   * Under `globalBatchSize` (the option, or one a checkpoint brought): the micro-batches and
   * accumulation for the strategy's device count, the training loader re-batched to them, and
   * a restored batch index recounted in the new micro-batches (a checkpoint of another device
   * count resumes at the same sample). Without it, the loader as given.
   */
  private globalBatch<B extends tf.TensorContainer>(strategy: DistributionStrategy, loader: Loader<B>): { loader: Loader<B>; owned: boolean } {
    const trainer = this.trainer;
    const global = trainer.globalBatchSize;
    const restoredMicro = this.restoredMicroBatch;
    this.restoredMicroBatch = undefined;
    if (global === undefined) {
      this.epochLoop.globalBatch = undefined;
      return { loader, owned: false };
    }
    const scheduler = trainer.callbacks.find((c) => c instanceof GradientAccumulationScheduler);
    if (scheduler !== undefined) {
      throw new StrataError('invalid-option', `globalBatchSize (${global}) sets the accumulation itself, but a GradientAccumulationScheduler callback changes it by epoch.`, {
        value: (scheduler as GradientAccumulationScheduler).scheduling,
        fix: 'remove the GradientAccumulationScheduler, or drop globalBatchSize and schedule accumulateGradBatches by hand.',
      });
    }
    const plan = planGlobalBatch(global, strategy.numReplicas, trainer.options.deviceBatchSize);
    this.epochLoop.globalBatch = plan;
    trainer.accumulateGradBatches = plan.accumulation;
    if (restoredMicro !== undefined && restoredMicro !== plan.microBatchSize) {
      this.epochLoop.resumeBatches = Math.round((this.epochLoop.resumeBatches * restoredMicro) / plan.microBatchSize);
    }
    return microBatchLoader(loader, plan);
  }

  /** Puts a checkpoint's whole state back, and where the loops resume: its epoch, step, batch and generator state. */
  private async restore(ckptPath: string): Promise<void> {
    const trainer = this.trainer;
    const restored = await restoreCheckpoint(trainer, ckptPath);
    trainer.currentEpoch = restored.epoch;
    trainer.globalStep = restored.globalStep;
    this.epochLoop.resumeBatches = restored.batchIndex;
    trainer.history.splice(0, trainer.history.length, ...restored.history);
    trainer.callbackMetrics = { ...restored.callbackMetrics };
    this.logging.trainMetrics.loadStateDict(restored.trainMetrics);
    this.pendingRng = restored.rng;
    this.restoredMicroBatch = restored.microBatchSize;
  }

  /** One forward and backward pass on the first batch, with no update, naming missing kernels. */
  private async preflight<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, loader: Loader<B>): Promise<void> {
    loader.setEpoch?.(this.trainer.currentEpoch);
    let first: B | undefined;
    for await (const raw of loader) {
      first = raw;
      break;
    }
    if (first === undefined) return;
    const batch = strategy.distributeBatch(first);
    this.logging.phase = 'silent';
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
}
