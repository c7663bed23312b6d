import type * as tf from '@tensorflow/tfjs-core';
import { StrataError, invalidOption, quote } from '@strata/core';
import type { LrScheduler } from './lr-scheduler.js';

/** A scheduler with when to step it, as Lightning's lr_scheduler dict. */
export interface LrSchedulerConfig {
  readonly scheduler: LrScheduler;
  /** 'epoch' (default): after each epoch's validation; 'step': after each optimizer step. */
  readonly interval?: 'epoch' | 'step';
  /** Step every n intervals (default 1). */
  readonly frequency?: number;
  /** The metric passed to `step()`, required by `ReduceLrOnPlateau` (for example 'val_loss'). */
  readonly monitor?: string;
}

/** What `configureOptimizers` may return besides a bare optimizer. */
export interface OptimizerConfig {
  readonly optimizer: tf.Optimizer;
  readonly lrScheduler?: LrScheduler | LrSchedulerConfig | readonly (LrScheduler | LrSchedulerConfig)[];
}

export interface ResolvedScheduler {
  readonly scheduler: LrScheduler;
  readonly interval: 'epoch' | 'step';
  readonly frequency: number;
  readonly monitor: string | undefined;
}

/** Normalizes what `configureOptimizers` returned. */
export function resolveOptimizers(value: tf.Optimizer | OptimizerConfig): { optimizer: tf.Optimizer; schedulers: ResolvedScheduler[] } {
  if (isOptimizer(value)) return { optimizer: value, schedulers: [] };
  if (typeof value !== 'object' || value === null || !isOptimizer(value.optimizer)) {
    throw new StrataError('invalid-option', `configureOptimizers returned ${quote(value)}.`, {
      value,
      fix: 'return a tfjs optimizer, or { optimizer, lrScheduler } with a scheduler such as new StepLr(optimizer, { stepSize: 10 }).',
    });
  }
  const raw = value.lrScheduler === undefined ? [] : Array.isArray(value.lrScheduler) ? value.lrScheduler : [value.lrScheduler];
  const schedulers = (raw as (LrScheduler | LrSchedulerConfig)[]).map((entry): ResolvedScheduler => {
    const config: LrSchedulerConfig = 'scheduler' in entry ? entry : { scheduler: entry };
    const interval = config.interval ?? 'epoch';
    if (interval !== 'epoch' && interval !== 'step') invalidOption('lrScheduler.interval', interval, "'epoch' or 'step'");
    const frequency = config.frequency ?? 1;
    if (!Number.isInteger(frequency) || frequency < 1) invalidOption('lrScheduler.frequency', frequency, 'an integer >= 1');
    if (config.scheduler.optimizer !== value.optimizer) {
      throw new StrataError('invalid-option', 'A learning-rate scheduler was made for another optimizer.', {
        fix: 'build the scheduler over the optimizer returned with it.',
      });
    }
    return { scheduler: config.scheduler, interval, frequency, monitor: config.monitor };
  });
  return { optimizer: value.optimizer, schedulers };
}

function isOptimizer(value: unknown): value is tf.Optimizer {
  return typeof value === 'object' && value !== null && typeof (value as tf.Optimizer).applyGradients === 'function';
}
