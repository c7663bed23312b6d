import type * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';

interface WithRate {
  learningRate?: number;
  setLearningRate?(lr: number): void;
}

/** The learning rate of a tfjs optimizer (every built-in one keeps it in `learningRate`). */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const lr = (optimizer as unknown as WithRate).learningRate;
  if (typeof lr !== 'number') {
    throw new StrataError('invalid-option', `Optimizer ${optimizer.getClassName()} has no numeric learningRate.`, {
      fix: 'use a tfjs optimizer (sgd, momentum, adam, adamax, adagrad, adadelta, rmsprop) or give yours a learningRate field.',
    });
  }
  return lr;
}

/**
 * Sets the learning rate of a tfjs optimizer. SGD and momentum cache `-lr` in a scalar that
 * only `setLearningRate` refreshes; the others read the field at each step.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as WithRate;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
