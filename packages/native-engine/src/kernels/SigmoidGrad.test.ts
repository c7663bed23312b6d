import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { STRATA_SIGMOID_GRAD } from './SigmoidGrad.js';
import { compareWithCpu, kernelsOff, notBuilt, values } from '../testing/kernel-check.js';

describe('Sigmoid gradient on the native engine (TensorFlow SigmoidGrad)', { skip: notBuilt || kernelsOff }, () => {
  it('matches tfjs-cpu for swish, x * sigmoid(x), in one kernel', async () => {
    const kernels = await compareWithCpu(() => {
      const x = tf.tensor4d(values(2 * 4 * 4 * 3, 4), [2, 4, 4, 3]);
      const w = tf.tensor4d(values(2 * 4 * 4 * 3, 5), [2, 4, 4, 3]);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.mul(v, tf.sigmoid(v)), w)))(x)];
    }, 1e-6);
    assert.ok(kernels.includes(STRATA_SIGMOID_GRAD));
  });

  it('keeps second derivatives right (the inner gradient falls back to tfjs, which records it)', async () => {
    await compareWithCpu(() => {
      const x = tf.tensor1d(values(10, 6));
      return [tf.grad(tf.grad((u: tf.Tensor) => tf.mul(tf.sigmoid(u), u)))(x)];
    }, 1e-6);
  });
});
