import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { STRATA_FUSED_BATCH_NORM_GRAD } from './FusedBatchNormGrad.js';
import { compareWithCpu, kernelsOff, notBuilt, values } from '../testing/kernel-check.js';

const SHAPE: [number, number, number, number] = [3, 4, 5, 6];
const size = SHAPE.reduce((a, b) => a * b, 1);

describe('FusedBatchNorm gradient on the native engine (TensorFlow FusedBatchNormGradV3)', { skip: notBuilt || kernelsOff }, () => {
  it('matches tfjs-cpu in training mode (batch statistics from moments), every input', async () => {
    const kernels = await compareWithCpu(() => {
      const x = tf.tensor4d(values(size, 7), SHAPE);
      const w = tf.tensor4d(values(size, 8), SHAPE);
      const scale = tf.tensor1d(values(6, 9));
      const offset = tf.tensor1d(values(6, 10));
      const loss = (v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(v, [0, 1, 2]);
        return tf.sum(tf.mul(tf.batchNorm(v as tf.Tensor4D, mean, variance, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3), w));
      };
      return tf.grads(loss)([x, scale, offset]);
    }, 1e-4);
    assert.ok(kernels.includes(STRATA_FUSED_BATCH_NORM_GRAD));
  });

  it('matches tfjs-cpu for given statistics, mean and variance gradients included', async () => {
    await compareWithCpu(() => {
      const x = tf.tensor4d(values(size, 11), SHAPE);
      const w = tf.tensor4d(values(size, 12), SHAPE);
      const mean = tf.tensor1d(values(6, 13));
      const variance = tf.abs(tf.tensor1d(values(6, 14)));
      const scale = tf.tensor1d(values(6, 15));
      const offset = tf.tensor1d(values(6, 16));
      const loss = (v: tf.Tensor, m: tf.Tensor, va: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
        tf.sum(tf.mul(tf.batchNorm(v as tf.Tensor4D, m as tf.Tensor1D, va as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3), w));
      return tf.grads(loss)([x, mean, variance, scale, offset]);
    }, 1e-4);
  });

  // (Without a scale or an offset tfjs's batchNorm cannot be differentiated on any backend: its
  // tape keeps the missing input. So every case here has both.)
  it('matches tfjs-cpu on a rank-2 input (reshaped to rank 4 by batchNorm)', async () => {
    await compareWithCpu(() => {
      const x = tf.tensor2d(values(24, 18), [4, 6]);
      const scale = tf.tensor1d(values(6, 19));
      const offset = tf.tensor1d(values(6, 20));
      return [
        tf.grad((v: tf.Tensor) => {
          const { mean, variance } = tf.moments(v, [0]);
          return tf.sum(tf.square(tf.batchNorm(v as tf.Tensor2D, mean, variance, offset, scale, 1e-3)));
        })(x),
      ];
    }, 1e-3);
  });
});
