import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, runOn, values, wasmReady } from '../testing/against-cpu.js';

const cases: { x: [number, number, number, number]; size: number; stride: number; pad: 'same' | 'valid' }[] = [
  { x: [2, 8, 8, 5], size: 2, stride: 2, pad: 'valid' },
  { x: [2, 8, 6, 8], size: 2, stride: 2, pad: 'valid' }, // the SIMD kernel
  { x: [2, 9, 7, 12], size: 3, stride: 3, pad: 'valid' }, // SIMD, with uncovered edge pixels
  { x: [1, 7, 7, 4], size: 2, stride: 2, pad: 'same' }, // windows past the edge: JS
  { x: [2, 9, 7, 3], size: 3, stride: 2, pad: 'same' }, // overlapping windows
  { x: [1, 6, 6, 4], size: 3, stride: 1, pad: 'same' },
  { x: [1, 7, 7, 2], size: 2, stride: 3, pad: 'valid' },
];

describe('MaxPoolGrad on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of cases.entries()) {
    it(`matches the cpu backend: x ${c.x}, size ${c.size}, stride ${c.stride}, pad ${c.pad}`, async () => {
      const run = () => {
        const x = tf.tensor4d(values(tf.util.sizeFromShape(c.x), 121 + i), c.x);
        const weights = tf.tensor(values(tf.util.sizeFromShape(tf.maxPool(x, c.size, c.stride, c.pad).shape), 7));
        return tf.grad((v) => tf.sum(tf.mul(tf.reshape(tf.maxPool(v as tf.Tensor4D, c.size, c.stride, c.pad), [-1]), weights)))(x);
      };
      const [wasm] = await runOn('wasm', run);
      const [cpu] = await runOn('cpu', run);
      assert.ok(relativeError(wasm, cpu) < 1e-6, `relative error ${relativeError(wasm, cpu)}`);
    });
  }

  for (const channels of [1, 4]) {
    it(`sends the gradient of a tied window to its first maximum (${channels} channels)`, async () => {
      const [dx] = await runOn('wasm', () => tf.grad((v) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid')))(tf.ones([1, 2, 2, channels])));
      assert.deepEqual(Array.from(dx), [1, 0, 0, 0].flatMap((v) => Array(channels).fill(v)));
    });
  }

  it('skips NaN like the cpu backend, and gives a window of -Infinity no gradient', async () => {
    const run = () => tf.grad((v) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid')))(
      // Four channels (the SIMD kernel), per pixel: a NaN, all -Infinity, a tie, a plain maximum.
      tf.tensor4d([NaN, -Infinity, 5, 1, 1, -Infinity, 5, 2, 3, -Infinity, 5, 0, 2, -Infinity, 4, 3], [1, 2, 2, 4]));
    const [wasm] = await runOn('wasm', run);
    const [cpu] = await runOn('cpu', run);
    assert.deepEqual(Array.from(wasm), Array.from(cpu));
    assert.deepEqual(Array.from(wasm), [0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  });
});
