import { describe, it } from 'node:test';
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import { compareWithCpu, kernelsOff, notBuilt, values } from '../testing/kernel-check.js';

const SHAPE: [number, number, number, number] = [2, 3, 4, 5];
const size = SHAPE.reduce((a, b) => a * b, 1);

describe('Mean and Sum gradients on the native engine (@strata/core registers them as one Tile)', { skip: notBuilt || kernelsOff }, () => {
  for (const [axis, keepDims] of [[[0, 1, 2], false], [[1, 2], true], [-1, false], [undefined, false], [[3, 0], true]] as const) {
    it(`match tfjs-cpu over axis ${JSON.stringify(axis)}, keepDims ${keepDims}, without a ones tensor`, async () => {
      const kernels = await compareWithCpu(() => {
        const x = tf.tensor4d(values(size, 21), SHAPE);
        const ax = axis as number | number[] | undefined;
        const w = (t: tf.Tensor) => tf.tensor(values(t.size, 22), t.shape);
        return [
          tf.grad((v: tf.Tensor) => { const m = tf.mean(v, ax, keepDims); return tf.sum(tf.mul(m, w(m))); })(x),
          tf.grad((v: tf.Tensor) => { const m = tf.sum(v, ax, keepDims); return tf.sum(tf.mul(m, w(m))); })(x),
        ];
      }, 1e-6);
      assert.ok(kernels.includes('Tile'));
    });
  }
});
