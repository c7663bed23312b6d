import { invalidOption } from '@strata/core';
import type { Callback, TrainerView } from '../callback.js';
import { getLearningRate } from '../optim/learning-rate.js';

export interface LearningRateMonitorOptions {
  /** 'epoch' (default) or 'step' (every `logEveryNSteps` optimizer steps). */
  readonly loggingInterval?: 'epoch' | 'step';
}

/**
 * Logs the learning rate as `lr-<Optimizer>` (e.g. `lr-Adam`), as Lightning's
 * LearningRateMonitor, to the loggers and to `callbackMetrics`. The rate is a host number: no read.
 *
 * @example new Trainer({ callbacks: [new LearningRateMonitor({ loggingInterval: 'step' })] })
 */
export class LearningRateMonitor implements Callback {
  readonly loggingInterval: 'epoch' | 'step';
  /** Every rate logged, by name. */
  readonly lrs: Record<string, number[]> = {};

  constructor(options: LearningRateMonitorOptions = {}) {
    this.loggingInterval = options.loggingInterval ?? 'epoch';
    if (this.loggingInterval !== 'epoch' && this.loggingInterval !== 'step') invalidOption('loggingInterval', this.loggingInterval, "'epoch' or 'step'");
  }

  async onTrainEpochStart(trainer: TrainerView): Promise<void> {
    if (this.loggingInterval === 'epoch') await this.record(trainer);
  }

  async onTrainBatchEnd(trainer: TrainerView): Promise<void> {
    if (this.loggingInterval === 'step' && trainer.globalStep > 0 && trainer.globalStep % trainer.options.logEveryNSteps === 0) await this.record(trainer);
  }

  private async record(trainer: TrainerView): Promise<void> {
    const optimizer = trainer.optimizer;
    if (!optimizer) return;
    const name = `lr-${optimizer.getClassName()}`;
    const lr = getLearningRate(optimizer);
    (this.lrs[name] ??= []).push(lr);
    trainer.callbackMetrics[name] = lr;
    await trainer.logMetrics({ [name]: lr });
  }
}
