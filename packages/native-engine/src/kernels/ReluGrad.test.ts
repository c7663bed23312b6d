import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { STRATA_RELU_GRAD } from './ReluGrad.js';
import { compareWithCpu, kernelsOff, notBuilt, values } from '../testing/kernel-check.js';

describe('Relu gradient on the native engine (TensorFlow ReluGrad)', { skip: notBuilt || kernelsOff }, () => {
  it('matches tfjs-cpu, zeros included, in one kernel', async () => {
    const kernels = await compareWithCpu(() => {
      const x = tf.tensor4d(values(2 * 3 * 3 * 4, 1), [2, 3, 3, 4]);
      const w = tf.tensor4d(values(2 * 3 * 3 * 4, 2), [2, 3, 3, 4]);
      return [tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), w)))(x)];
    }, 0);
    assert.ok(kernels.includes(STRATA_RELU_GRAD));
    assert.ok(!kernels.includes('Step'));
  });

  it('keeps second derivatives right (the inner gradient falls back to tfjs, which records it)', async () => {
    await compareWithCpu(() => {
      const x = tf.tensor1d(values(12, 3));
      return [tf.grad(tf.grad((u: tf.Tensor) => tf.mul(tf.relu(u), tf.mul(u, u))))(x)];
    });
  });
});
