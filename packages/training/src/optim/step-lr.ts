import type * as tf from '@tensorflow/tfjs-core';
import { invalidOption } from '@strata/core';
import { LrScheduler } from './lr-scheduler.js';

export interface StepLrOptions {
  /** Intervals between decays. */
  readonly stepSize: number;
  /** Factor of each decay (default 0.1). */
  readonly gamma?: number;
}

/**
 * Multiplies the rate by `gamma` every `stepSize` intervals (torch's StepLR).
 * @example new StepLr(optimizer, { stepSize: 10, gamma: 0.5 })
 */
export class StepLr extends LrScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: tf.Optimizer, options: StepLrOptions) {
    super(optimizer);
    if (!Number.isInteger(options.stepSize) || options.stepSize < 1) invalidOption('stepSize', options.stepSize, 'an integer >= 1');
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
  }

  protected computeLr(): number {
    return this.baseLr * this.gamma ** Math.floor(this.lastEpoch / this.stepSize);
  }
}
