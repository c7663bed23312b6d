import * as tf from '@tensorflow/tfjs-core';
import { StrataError, dynamicScalar, type DistributionStrategy } from '@strata/core';
import type { TrainerView } from '../callback.js';
import type { LoggerConnector } from '../connectors/logger-connector.js';
import { addGradients, allFinite, clipGradients, scaleAll } from '../gradients.js';
import { applyOptimizer, buildOptimizer, optimizerKey } from '../optim/replayable-optimizer.js';
import type { TrainingModule } from '../training-module.js';
import { TrainerStep } from './trainer-step.js';

/** What the training step needs to know about the batch it trains: host values, fixed in its trace. */
interface BatchContext {
  readonly module: TrainingModule<tf.TensorContainer>;
  readonly index: number;
  readonly stepNow: boolean;
  readonly accumulate: number;
  readonly accumulating: boolean;
  /** The loss is scaled (fp16 loss scale, or the accumulation's mean). */
  readonly scaled: boolean;
  /** The weight of this batch's mean loss in its optimizer step: 1/accumulate, or under `globalBatchSize` its share of the step's samples. */
  readonly lossWeight: number;
  /** How many times its loss counts in the epoch's mean `train_loss`: 1, or under `globalBatchSize` its samples. */
  readonly logWeight: number;
}

/** Under `globalBatchSize`: a micro-batch's share of its step's samples, and its samples. */
export interface MicroBatchWeights {
  readonly lossWeight: number;
  readonly rows: number;
}

/** The training step's outputs: the accumulation to carry on, and in fp16 the finite flag. */
interface TrainOutputs extends tf.TensorContainerObject {
  accumulated?: tf.NamedTensorMap;
  finite?: tf.Scalar;
}

/**
 * The optimization of one training batch, as Lightning's optimization loop: forward and
 * backward inside one strategy step, gradient accumulation, loss scaling and, in fp16, the
 * skip of a step whose gradients are not finite, then clipping, the optimizer step and the
 * learning-rate schedulers. Only the fp16 finite flag is read from the device.
 */
export class OptimizationLoop {
  /** Gradients summed over the batches of the accumulation in progress (and, in fp16, the unscaled sum awaiting the finite check). */
  private accumulated: tf.NamedTensorMap | undefined;
  /** The batch being trained, for the step function (which a replay does not run). */
  private context: BatchContext | undefined;
  /**
   * Dispatched asynchronously unless fp16 reads the gradients' finite flag right after it: the
   * loop reads nothing else of a step before the next one starts (logged values are read at
   * the logging steps and the epoch's end).
   */
  private readonly trainStep = new TrainerStep(
    'training step',
    (inputs: { batch: tf.TensorContainer; accumulated: tf.NamedTensorMap }) => this.trainingStep(inputs),
    () => this.trainer.options.compileSteps,
    () => (this.trainer.precisionPlugin.checksFinite ? 'synchronous' : 'asynchronous'),
  );
  /** fp16: the optimizer step on gradients found finite. */
  private readonly applyStep = new TrainerStep('optimizer step', ({ grads }: { grads: tf.NamedTensorMap }) => {
    applyOptimizer(this.trainer.optimizer!, this.finishGradients(grads));
    return {};
  }, () => this.trainer.options.compileSteps);

  constructor(
    private readonly trainer: TrainerView,
    private readonly logging: LoggerConnector,
  ) {}

  /** True while gradients wait for an optimizer step. */
  get hasAccumulated(): boolean {
    return this.accumulated !== undefined;
  }

  /**
   * Trains on one batch: adds its gradients to the accumulation and, on the accumulation's last
   * batch (or the epoch's), steps the optimizer. Returns whether this batch ends an accumulation;
   * the caller then counts the step with `completeStep`. `micro`: the batch's weights under
   * `globalBatchSize` (by default each of the accumulated batches weighs the same).
   */
  async run<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, raw: B, index: number, isLast: boolean, micro?: MicroBatchWeights): Promise<boolean> {
    const trainer = this.trainer;
    const logging = this.logging;
    const batch = strategy.distributeBatch(raw);
    const accumulate = trainer.accumulateGradBatches;
    const stepNow = (index + 1) % accumulate === 0 || isLast;
    const plugin = trainer.precisionPlugin;
    const optimizer = trainer.optimizer!;
    logging.logStepNow = stepNow && (trainer.globalStep + 1) % trainer.options.logEveryNSteps === 0;
    const context: BatchContext = {
      module: module as unknown as TrainingModule<tf.TensorContainer>,
      index,
      stepNow,
      accumulate,
      accumulating: this.accumulated !== undefined,
      scaled: plugin.checksFinite || accumulate !== 1,
      lossWeight: micro?.lossWeight ?? 1 / accumulate,
      logWeight: micro?.rows ?? 1,
    };
    // Host decisions that shape the step: each combination is its own compiled program.
    const parameters = module.parameters();
    // Optimizer state made before the step, so that the step's first program is its last.
    if (stepNow) buildOptimizer(optimizer, parameters);
    const key = [stepNow, context.accumulating, context.scaled, plugin.checksFinite, optimizerKey(optimizer), parameters.length, parameters[0]?.name].join('|');
    const previous = this.accumulated;
    logging.phase = 'train';
    this.context = context;
    let out: TrainOutputs;
    try {
      out = await this.trainStep.run(strategy, { batch, accumulated: previous ?? {} }, key);
    } finally {
      logging.phase = 'silent';
      this.context = undefined;
      tf.dispose(batch);
    }
    if (previous !== undefined) tf.dispose(Object.values(previous));
    this.accumulated = out.accumulated;
    if (out.finite) {
      const finite = (await strategy.read(out.finite))[0] !== 0;
      out.finite.dispose();
      if (plugin.update(finite)) {
        await this.applyStep.run(strategy, { grads: this.accumulated! }, optimizerKey(optimizer));
      }
      this.disposeAccumulated();
    }
    logging.logStepNow = false;
    return stepNow;
  }

  /**
   * The training step the strategy runs (traced once and replayed where it compiles steps):
   * forward and backward, the accumulation, the loss logged on the device and, unless fp16
   * must first check the gradients on the host, the optimizer step. What changes between
   * batches comes in `inputs` or through `dynamicScalar`; host decisions are in the key.
   */
  private trainingStep(inputs: { batch: tf.TensorContainer; accumulated: tf.NamedTensorMap }): TrainOutputs {
    const { module, index, stepNow, accumulating, scaled, logWeight } = this.context!;
    const plugin = this.trainer.precisionPlugin;
    // The loss is weighted in its step (by 1/accumulation: a mean over the accumulated batches;
    // under globalBatchSize by its share of the step's samples) and multiplied by the fp16 loss
    // scale; both are undone for the logged value. Both are read afresh at every replay.
    const factor = () => (scaled ? dynamicScalar(() => plugin.lossScale * this.context!.lossWeight) : 1);
    const { value, grads } = tf.variableGrads(() => {
      const loss = module.trainingStep(inputs.batch, index);
      return scaled ? (tf.mul(loss, factor()) as tf.Scalar) : loss;
    }, module.parameters());
    const summed = accumulating ? addGradients(inputs.accumulated, grads) : grads;
    const loss = scaled ? (tf.div(value, factor()) as tf.Scalar) : value;
    this.logging.trainMetrics.add('train_loss', loss, true, logWeight);
    this.logging.queueStepLog('train_loss_step', loss);
    if (!stepNow) return { accumulated: summed };
    if (plugin.checksFinite) {
      // fp16: the skip decision needs the flag on the host (as torch's GradScaler reads it).
      const unscaled = scaleAll(summed, dynamicScalar(() => 1 / plugin.lossScale));
      return { accumulated: unscaled, finite: allFinite(unscaled) };
    }
    applyOptimizer(this.trainer.optimizer!, this.finishGradients(summed));
    return {};
  }

  /** Counts an optimizer step (taken or, in fp16, skipped) and steps the per-step schedulers. */
  async completeStep(): Promise<void> {
    this.trainer.globalStep++;
    await this.stepSchedulers('step');
  }

  /** A loader without a length cannot tell its last batch: apply what remains after it. */
  async flushAccumulated(strategy: DistributionStrategy): Promise<void> {
    const grads = this.accumulated!;
    const plugin = this.trainer.precisionPlugin;
    let apply = true;
    if (plugin.checksFinite) {
      const flag = await strategy.runStep(() => allFinite(scaleAll(grads, 1 / plugin.lossScale)));
      apply = plugin.update((await strategy.read(flag))[0] !== 0);
      flag.dispose();
    }
    if (apply) {
      await strategy.runStep(() => {
        applyOptimizer(this.trainer.optimizer!, this.finishGradients(scaleAll(grads, 1 / plugin.lossScale)));
        return {};
      });
    }
    this.disposeAccumulated();
    await this.completeStep();
  }

  /** Drops gradients that will not be applied (an epoch cut short, the end of `fit`). */
  disposeAccumulated(): void {
    if (this.accumulated) tf.dispose(Object.values(this.accumulated));
    this.accumulated = undefined;
  }

  /** Steps the schedulers of `interval` whose frequency divides the step or epoch count. */
  async stepSchedulers(interval: 'epoch' | 'step'): Promise<void> {
    const trainer = this.trainer;
    const count = interval === 'step' ? trainer.globalStep : trainer.currentEpoch + 1;
    for (const s of trainer.lrSchedulers) {
      if (s.interval !== interval || count % s.frequency !== 0) continue;
      let metric: number | undefined;
      if (s.monitor !== undefined) {
        metric = trainer.callbackMetrics[s.monitor];
        if (metric === undefined) {
          throw new StrataError('invalid-option', `The learning-rate scheduler monitors ${JSON.stringify(s.monitor)}, which was not logged.`, {
            value: s.monitor,
            fix: `log it with this.log(${JSON.stringify(s.monitor)}, value), or monitor one of: ${Object.keys(trainer.callbackMetrics).join(', ') || '(none logged yet)'}.`,
          });
        }
      }
      s.scheduler.step(metric);
    }
  }

  /** Clips unscaled gradients, after accumulation: the order torch's AMP recipe uses. */
  private finishGradients(grads: tf.NamedTensorMap): tf.NamedTensorMap {
    const clip = this.trainer.options.gradientClipVal;
    return clip === undefined ? grads : clipGradients(grads, clip, this.trainer.options.gradientClipAlgorithm);
  }
}
