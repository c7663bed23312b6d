import * as tf from '@tensorflow/tfjs-core';
import type { DistributionStrategy } from '@strata/core';
import type { TrainerView } from '../callback.js';
import type { CallbackConnector } from '../connectors/callback-connector.js';
import type { LoggerConnector } from '../connectors/logger-connector.js';
import type { LoggedMetricsState } from '../logged-metrics.js';
import { isZero, validationInterval } from '../loader-arguments.js';
import type { Loader } from '../loader.js';
import { limitBatches } from '../trainer-options.js';
import type { TrainingModule } from '../training-module.js';
import { noTrainingBatchError } from './empty-loaders.js';
import { batchRows, checkMicroBatch, microBatchWeight, samplesPerEpoch, type GlobalBatchPlan } from './global-batch.js';
import type { EvaluationLoop } from './evaluation-loop.js';
import type { MicroBatchWeights, OptimizationLoop } from './optimization-loop.js';

type AnyModule = TrainingModule<never>;

/**
 * One training epoch, as Lightning's training-epoch loop: the batches (each through the
 * optimization loop), validation at `valCheckInterval` or at the end, the epoch's metrics,
 * schedulers and hooks. It keeps the batch progress a checkpoint needs to resume inside an epoch.
 */
export class TrainingEpochLoop {
  /** True once the current epoch has run to its end (not cut short by `maxSteps` or a stop). */
  epochCompleted = false;
  /** Batches of the next epoch that a restored checkpoint already trained: skipped once. */
  resumeBatches = 0;
  /**
   * The running sums of an epoch cut short, which a checkpoint taken now saves (also after
   * fit() returns); cleared when the next epoch starts.
   */
  interruptedTrainMetrics: LoggedMetricsState | undefined;
  /** Under `globalBatchSize`: how the fit's loader is cut into micro-batches (set by the fit loop). */
  globalBatch: GlobalBatchPlan | undefined;

  constructor(
    private readonly trainer: TrainerView,
    private readonly logging: LoggerConnector,
    private readonly callbacks: CallbackConnector,
    private readonly optimization: OptimizationLoop,
    private readonly evaluation: EvaluationLoop,
  ) {}

  /** Whether a stop request may end training now: `minEpochs` epochs have completed. */
  canStop(): boolean {
    return this.trainer.currentEpoch + (this.epochCompleted ? 1 : 0) >= this.trainer.options.minEpochs;
  }

  maxStepsReached(): boolean {
    return this.trainer.options.maxSteps >= 0 && this.trainer.globalStep >= this.trainer.options.maxSteps;
  }

  async run<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, loader: Loader<B>, vals: Loader<B>[]): Promise<void> {
    const trainer = this.trainer;
    const options = trainer.options;
    const logging = this.logging;
    const m = module as unknown as AnyModule;
    const epoch = trainer.currentEpoch;
    this.epochCompleted = false;
    this.interruptedTrainMetrics = undefined;
    await this.callbacks.each((c) => c.onTrainEpochStart?.(trainer, m));
    await module.onTrainEpochStart?.();
    // overfitBatches trains on the same batches every epoch: keep the loader on its first order.
    loader.setEpoch?.(options.overfitBatches ? 0 : epoch);
    const numBatches = limitBatches('limitTrainBatches', options.limitTrainBatches, loader.length);
    trainer.numTrainingBatches = numBatches;
    const validateThisEpoch = vals.length > 0 && !!module.validationStep && (epoch + 1) % options.checkValEveryNEpoch === 0 && !isZero(options.limitValBatches);
    const valEvery = validationInterval(options.valCheckInterval, numBatches);
    const skip = this.resumeBatches;
    this.resumeBatches = 0;
    trainer.batchesDone = skip;
    // Under globalBatchSize: the epoch's samples, so that a short last step weighs its micro-batches by their samples.
    const plan = this.globalBatch;
    const loaderSamples = plan === undefined ? undefined : samplesPerEpoch(loader);
    const samples = plan === undefined || loaderSamples === undefined ? undefined : Math.min(loaderSamples, numBatches * plan.microBatchSize);
    let index = 0;
    // Cut short by maxSteps or a stop request: the epoch is not finished, so a checkpoint taken
    // now resumes inside it, and it gets no history entry and no epoch scheduler step.
    let interrupted = false;
    for await (const raw of loader) {
      if (index >= numBatches) {
        tf.dispose(raw);
        break;
      }
      if ((trainer.shouldStop && this.canStop()) || this.maxStepsReached()) {
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
      const isLast = index === numBatches - 1;
      let micro: MicroBatchWeights | undefined;
      if (plan !== undefined) {
        const rows = batchRows(raw);
        checkMicroBatch(rows, plan, isLast);
        micro = rows === undefined ? undefined : { rows, lossWeight: microBatchWeight(plan, index, rows, samples) };
      }
      await this.runBatch(strategy, module, raw, index, isLast, micro);
      if (validateThisEpoch && valEvery !== undefined && (index + 1) % valEvery === 0) {
        const metrics = await this.evaluation.run(strategy, module, vals, 'validate', options.limitValBatches, false);
        // Validations inside the epoch go to the loggers at their step; the last also joins the epoch's line.
        if (index + 1 !== numBatches) await trainer.logMetrics({ ...metrics, epoch });
      }
      index++;
    }
    // A loader without a length shows it is empty only now; one that trains nothing is a bug, not an epoch.
    if (index === 0 && !interrupted && numBatches > 0) throw noTrainingBatchError(loader, epoch);
    if (this.optimization.hasAccumulated && !interrupted) await this.optimization.flushAccumulated(strategy);
    this.optimization.disposeAccumulated();
    // As Lightning: with valCheckInterval, validation runs at its multiples only; without, at the end.
    if (validateThisEpoch && valEvery === undefined) {
      await this.evaluation.run(strategy, module, vals, 'validate', options.limitValBatches, false);
    }
    logging.phase = 'train';
    try {
      await module.onTrainEpochEnd?.();
    } finally {
      logging.phase = 'silent';
    }
    this.interruptedTrainMetrics = interrupted ? await logging.trainMetrics.stateDict((t) => strategy.read(t)) : undefined;
    const train = await logging.drain(logging.trainMetrics, strategy);
    if (!interrupted) await this.optimization.stepSchedulers('epoch');
    this.epochCompleted = !interrupted;
    const metrics = { ...train, ...logging.lastValMetrics, epoch };
    logging.lastValMetrics = {};
    if (!interrupted) trainer.history.push(metrics);
    await logging.flushStepLogs(strategy);
    await trainer.logMetrics(metrics);
    await this.callbacks.each((c) => c.onTrainEpochEnd?.(trainer, m, metrics));
    for (const l of trainer.loggers) await l.save();
  }

  /** One batch: the batch hooks around the optimization loop, and the step count. */
  private async runBatch<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, raw: B, index: number, isLast: boolean, micro?: MicroBatchWeights): Promise<void> {
    const trainer = this.trainer;
    const m = module as unknown as AnyModule;
    await module.onTrainBatchStart?.(raw, index);
    await this.callbacks.each((c) => c.onTrainBatchStart?.(trainer, m, index));
    const stepped = await this.optimization.run(strategy, module, raw, index, isLast, micro);
    trainer.batchesDone = index + 1;
    if (stepped) await this.optimization.completeStep();
    await module.onTrainBatchEnd?.(index);
    await this.callbacks.each((c) => c.onTrainBatchEnd?.(trainer, m, index));
  }
}
