import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, runOn, values, wasmReady } from '../testing/against-cpu.js';
import { columnSums } from '../kernel_utils/axis_sums.js';

const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: false }, // a bias gradient: the fast path
  { shape: [4, 5, 6, 7], axis: [2, 1, 0], keepDims: true },
  { shape: [9, 3], axis: 0, keepDims: false },
  { shape: [5, 5, 3], axis: [0, 1, 2], keepDims: false }, // everything, small: tfjs-wasm's own
  { shape: [64, 64, 2], axis: [0, 1, 2], keepDims: false }, // everything, large: the fast path
  { shape: [4, 5, 6], axis: [1, 2], keepDims: false }, // innermost axes: tfjs-wasm's own
  { shape: [3, 5, 6, 8], axis: [1, 2], keepDims: true }, // global average pooling's axes
  { shape: [3, 5, 6, 9], axis: [1, 2], keepDims: false },
  { shape: [3, 5, 6, 8], axis: [0, 2], keepDims: false }, // not one run: tfjs-wasm's own
  { shape: [4, 5, 6], axis: -1, keepDims: true },
  { shape: [3000, 11], axis: 0, keepDims: false }, // several SIMD flushes and three trailing columns
  { shape: [3, 2], axis: 0, keepDims: false }, // fewer than four columns: the JS loop
];

describe('Sum on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of cases.entries()) {
    it(`matches the cpu backend: shape ${c.shape}, axis ${c.axis}, keepDims ${c.keepDims}`, async () => {
      const run = () => tf.sum(tf.tensor(values(tf.util.sizeFromShape(c.shape), 91 + i), c.shape), c.axis, c.keepDims);
      const [wasm] = await runOn('wasm', run);
      const [cpu] = await runOn('cpu', run);
      await tf.setBackend('wasm');
      const shape = tf.tidy(run).shape;
      await tf.setBackend('cpu');
      assert.deepEqual(shape, tf.tidy(run).shape);
      assert.ok(relativeError(wasm, cpu) < 1e-5, `relative error ${relativeError(wasm, cpu)}`);
    });
  }

  it('still sums int32 tensors (handed to tfjs-wasm)', async () => {
    const [wasm] = await runOn('wasm', () => tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0));
    assert.deepEqual(Array.from(wasm), [9, 12]);
  });

  it('columnSums adds rows left over after the four-row passes', () => {
    const x = Float32Array.from({ length: 7 * 3 }, (_, i) => i);
    const expected = [0, 1, 2].map((c) => Array.from({ length: 7 }, (_, r) => r * 3 + c).reduce((a, b) => a + b, 0));
    assert.deepEqual(Array.from(columnSums(x, 7, 3)), expected);
  });
});
