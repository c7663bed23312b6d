import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { STRATA_BATCH_NORM_TRAINING_GRAD, batchNormTraining } from '@strata/core';
import { STRATA_BATCH_NORM_TRAINING } from './BatchNormTraining.js';
import { compareWithCpu, kernelsOff, notBuilt, values } from '../testing/kernel-check.js';

const SHAPE: [number, number, number, number] = [3, 4, 5, 6];
const size = SHAPE.reduce((a, b) => a * b, 1);

/** Inputs with a per-channel offset, so that the batch mean is not near zero. */
function inputs(seed: number): { x: tf.Tensor4D; w: tf.Tensor4D; scale: tf.Tensor1D; offset: tf.Tensor1D } {
  return {
    x: tf.add(tf.tensor4d(values(size, seed), SHAPE), tf.tensor1d([3, -1, 0, 0.5, 8, -4])) as tf.Tensor4D,
    w: tf.tensor4d(values(size, seed + 1), SHAPE),
    scale: tf.tensor1d(values(6, seed + 2)),
    offset: tf.tensor1d(values(6, seed + 3)),
  };
}

// The reference is tfjs-backend-cpu, which has no fused kernel: there batchNormTraining is
// tfjs's moments + batchNorm, so each case checks the fused kernels against tfjs's own ops.
describe('batchNormTraining on the native engine (TensorFlow FusedBatchNormV3 / FusedBatchNormGradV3, is_training)', { skip: notBuilt || kernelsOff }, () => {
  it('gives tfjs\'s y, batch mean and biased variance', async () => {
    const kernels = await compareWithCpu(() => {
      const { x, scale, offset } = inputs(21);
      const { y, mean, variance } = batchNormTraining(x, scale, offset, 1e-3);
      return [y, mean, variance];
    }, 1e-5);
    assert.ok(kernels.includes(STRATA_BATCH_NORM_TRAINING), `kernels: ${kernels.join(' ')}`);
  });

  it('gives tfjs\'s gradients for x, scale and offset, in two fused kernels', async () => {
    const kernels = await compareWithCpu(() => {
      const { x, w, scale, offset } = inputs(31);
      const loss = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(a as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D, 1e-3).y, w));
      return tf.grads(loss)([x, scale, offset]);
    }, 1e-4);
    for (const fused of [STRATA_BATCH_NORM_TRAINING, STRATA_BATCH_NORM_TRAINING_GRAD]) assert.ok(kernels.includes(fused), `kernels: ${kernels.join(' ')}`);
    for (const composed of ['Rsqrt', 'SquaredDifference', 'Mean']) assert.ok(!kernels.includes(composed), `${composed} ran: ${kernels.join(' ')}`);
  });

  it('gives tfjs\'s second derivative (the gradient kernel has none, so the formula runs there)', async () => {
    await compareWithCpu(() => {
      const { x, w, scale, offset } = inputs(41);
      const dx = (a: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.square(batchNormTraining(b as tf.Tensor4D, scale, offset, 1e-3).y), w)))(a);
      return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(dx(a), w)))(x)];
    }, 1e-3);
  });

  it('gives the statistics no gradient, as on every backend', async () => {
    await compareWithCpu(() => {
      const { x, scale, offset } = inputs(51);
      return [tf.grad((a: tf.Tensor) => {
        const { y, mean, variance } = batchNormTraining(a as tf.Tensor4D, scale, offset, 1e-3);
        return tf.add(tf.sum(tf.square(y)), tf.add(tf.sum(mean), tf.sum(variance)));
      })(x)];
    }, 1e-4);
  });
});
