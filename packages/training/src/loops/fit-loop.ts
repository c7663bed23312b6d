import * as tf from '@tensorflow/tfjs-core';
import { assertNoMissingKernels, setGlobalRngState, type DistributionStrategy } from '@strata/core';
import type { TrainerView } from '../callback.js';
import { restoreCheckpoint } from '../checkpoint/checkpoint-connector.js';
import type { CallbackConnector } from '../connectors/callback-connector.js';
import type { LoggerConnector } from '../connectors/logger-connector.js';
import { isDataModule, type DataModule } from '../data-module.js';
import { isOneShot, isOptions, isZero, listOf } from '../loader-arguments.js';
import type { FitOptions, Loader } from '../loader.js';
import { resolveOptimizers } from '../optim/optimizer-config.js';
import type { TrainingModule } from '../training-module.js';
import type { EvaluationLoop } from './evaluation-loop.js';
import type { OptimizationLoop } from './optimization-loop.js';
import type { TrainingEpochLoop } from './training-epoch-loop.js';

type AnyModule = TrainingModule<never>;

/**
 * `Trainer.fit`, as Lightning's fit loop: sets the run up (strategy, data, optimizers, resume
 * from a checkpoint, hooks), runs the preflight and the sanity check, then the epochs until
 * `maxEpochs`, `maxSteps` or a stop request, and tears down whatever happens.
 */
export class FitLoop {
  /** The generator state of a restored checkpoint: set after the preflight and the sanity check, so that their draws do not shift training's. */
  private pendingRng: { seed: number; state: number } | undefined;

  constructor(
    private readonly trainer: TrainerView,
    private readonly logging: LoggerConnector,
    private readonly callbacks: CallbackConnector,
    private readonly epochLoop: TrainingEpochLoop,
    private readonly optimization: OptimizationLoop,
    private readonly evaluation: EvaluationLoop,
  ) {}

  async run<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    train: Loader<B> | DataModule<B>,
    valLoaders: Loader<B> | readonly Loader<B>[] | FitOptions | undefined,
    fitOptions: FitOptions,
  ): Promise<void> {
    const trainer = this.trainer;
    let options = fitOptions;
    let vals: Loader<B>[];
    let trainLoader: Loader<B>;
    if (valLoaders !== undefined && isOptions(valLoaders)) {
      options = valLoaders;
      valLoaders = undefined;
    }
    const strategy = await trainer.setupStrategy();
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
    trainer.module = m;
    module.trainer = trainer;
    trainer.stage = 'fit';
    trainer.shouldStop = false;
    trainer.stopReason = undefined;
    let status: 'success' | 'failed' = 'failed';
    try {
      if (!trainer.optimizer) {
        const resolved = resolveOptimizers(strategy.scope(() => module.configureOptimizers()));
        trainer.optimizer = resolved.optimizer;
        trainer.lrSchedulers = resolved.schedulers;
      }
      if (options.ckptPath !== undefined) await this.restore(options.ckptPath);
      if (Object.keys(module.hparams).length > 0) for (const l of trainer.loggers) await l.logHyperparams(module.hparams);
      await this.callbacks.each((c) => c.setup?.(trainer, m, 'fit'));
      await module.onFitStart?.();
      await this.callbacks.each((c) => c.onFitStart?.(trainer, m));

      // A one-shot iterator (a generator object) would lose its first batch to the preflight.
      if (trainer.options.preflight && !isOneShot(trainLoader)) await this.preflight(strategy, module, trainLoader);
      if (trainer.options.numSanityValSteps > 0 && module.validationStep && vals.length > 0 && !isZero(trainer.options.limitValBatches)) {
        await this.evaluation.sanityCheck(strategy, module, vals);
      }
      if (this.pendingRng) setGlobalRngState(this.pendingRng);
      this.pendingRng = undefined;

      await this.loop(strategy, module, trainLoader, vals);
      await module.onFitEnd?.();
      await this.callbacks.each((c) => c.onFitEnd?.(trainer, m));
      status = 'success';
    } catch (error) {
      await this.callbacks.each((c) => c.onException?.(trainer, m, error));
      throw error;
    } finally {
      this.logging.phase = 'silent';
      this.optimization.disposeAccumulated();
      for (const l of trainer.loggers) await l.finalize(status);
      await this.callbacks.each((c) => c.teardown?.(trainer, m, 'fit'));
      if (isDataModule<B>(train)) await train.teardown?.('fit');
      module.trainer = undefined;
      trainer.stage = undefined;
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
      epochLoop.interruptedTrainMetrics = undefined;
      if (!epochLoop.epochCompleted) break;
      trainer.currentEpoch += 1;
      epochLoop.epochCompleted = false;
    }
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
