import * as tf from '@tensorflow/tfjs-core';
import { StrataError, type DistributionStrategy } from '@strata/core';
import type { TrainerView } from '../callback.js';
import type { LoggerConnector } from '../connectors/logger-connector.js';
import { addInto, allFinite, clipGradients, keepAll, scaleAll } from '../gradients.js';
import type { TrainingModule } from '../training-module.js';

/**
 * The optimization of one training batch, as Lightning's optimization loop: forward and
 * backward inside one strategy step, gradient accumulation, loss scaling and, in fp16, the
 * skip of a step whose gradients are not finite, then clipping, the optimizer step and the
 * learning-rate schedulers. Only the fp16 finite flag is read from the device.
 */
export class OptimizationLoop {
  /** Gradients summed over the batches of the accumulation in progress (and, in fp16, the unscaled sum awaiting the finite check). */
  private accumulated: tf.NamedTensorMap | undefined;

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
   * the caller then counts the step with `completeStep`.
   */
  async run<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, raw: B, index: number, isLast: boolean): Promise<boolean> {
    const trainer = this.trainer;
    const logging = this.logging;
    const batch = strategy.distributeBatch(raw);
    const accumulate = trainer.accumulateGradBatches;
    const stepNow = (index + 1) % accumulate === 0 || isLast;
    const plugin = trainer.precisionPlugin;
    // The loss is divided by the accumulation (a mean over the accumulated batches) and
    // multiplied by the fp16 loss scale; both are undone for the logged value.
    const factor = plugin.lossScale / accumulate;
    const optimizer = trainer.optimizer!;
    logging.logStepNow = stepNow && (trainer.globalStep + 1) % trainer.options.logEveryNSteps === 0;
    logging.phase = 'train';
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
      logging.phase = 'silent';
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
    logging.trainMetrics.add('train_loss', out.loss, true);
    if (logging.logStepNow) logging.queueStepLog('train_loss_step', out.loss);
    logging.logStepNow = false;
    out.loss.dispose();
    tf.dispose(batch);
    return stepNow;
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
        this.trainer.optimizer!.applyGradients(this.finishGradients(grads, plugin.lossScale));
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

  /** Unscales (when `scale` is not 1) and clips, after accumulation: the order torch's AMP recipe uses. */
  private finishGradients(grads: tf.NamedTensorMap, scale: number): tf.NamedTensorMap {
    const unscaled = scaleAll(grads, 1 / scale);
    const clip = this.trainer.options.gradientClipVal;
    return clip === undefined ? unscaled : clipGradients(unscaled, clip, this.trainer.options.gradientClipAlgorithm);
  }
}
