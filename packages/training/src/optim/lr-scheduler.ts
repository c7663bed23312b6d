import type * as tf from '@tensorflow/tfjs-core';
import { getLearningRate, setLearningRate } from './learning-rate.js';

/** What a scheduler saves in a checkpoint. */
export interface LrSchedulerState {
  readonly lastEpoch: number;
  readonly lr: number;
  readonly [key: string]: unknown;
}

/**
 * A learning-rate scheduler over one tfjs optimizer, as `torch.optim.lr_scheduler`: `step()` is
 * called by the Trainer at each interval (epoch or optimizer step) and sets the optimizer's rate.
 */
export abstract class LrScheduler {
  /** The rate the optimizer had when the scheduler was made. */
  readonly baseLr: number;
  /** Calls to `step()` so far. */
  lastEpoch = 0;

  constructor(readonly optimizer: tf.Optimizer) {
    this.baseLr = getLearningRate(optimizer);
  }

  /** The optimizer's current rate. */
  get lr(): number {
    return getLearningRate(this.optimizer);
  }

  /** Advances one interval; `metric` is the monitored value for schedulers that need one. */
  step(metric?: number): void {
    this.lastEpoch += 1;
    setLearningRate(this.optimizer, this.computeLr(metric));
  }

  /** The rate after `lastEpoch` intervals. */
  protected abstract computeLr(metric?: number): number;

  stateDict(): LrSchedulerState {
    return { lastEpoch: this.lastEpoch, lr: this.lr };
  }

  loadStateDict(state: LrSchedulerState): void {
    this.lastEpoch = state.lastEpoch;
    setLearningRate(this.optimizer, state.lr);
  }
}
