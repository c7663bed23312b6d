import type * as tf from '@tensorflow/tfjs-core';
import { LrScheduler } from './lr-scheduler.js';

/**
 * Sets the rate to `baseLr * factor(interval)` (torch's LambdaLR): warm-ups, cosine schedules.
 * @example new LambdaLr(optimizer, (step) => Math.min(1, (step + 1) / 100))
 */
export class LambdaLr extends LrScheduler {
  constructor(
    optimizer: tf.Optimizer,
    private readonly factor: (interval: number) => number,
  ) {
    super(optimizer);
  }

  protected computeLr(): number {
    return this.baseLr * this.factor(this.lastEpoch);
  }
}
