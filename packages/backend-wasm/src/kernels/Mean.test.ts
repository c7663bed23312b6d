import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, runOn, values, wasmReady } from '../testing/against-cpu.js';

const cases: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [4, 5, 6, 8], axis: [0, 1, 2], keepDims: false }, // batch-norm statistics
  { shape: [4, 5, 6, 8], axis: [1, 2], keepDims: true }, // squeeze-excitation
  { shape: [2, 3, 3, 7], axis: [1, 2], keepDims: false }, // SIMD blocks and a trailing column
  { shape: [2, 1100, 12], axis: 1, keepDims: false }, // more rows than one SIMD flush
  { shape: [4, 5, 6], axis: [1, 2], keepDims: false }, // innermost: tfjs-wasm's own
  { shape: [4, 5, 2], axis: 0, keepDims: false }, // fewer than four columns: tfjs-wasm's own
];

describe('Mean on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of cases.entries()) {
    it(`matches the cpu backend: shape ${c.shape}, axis ${c.axis}, keepDims ${c.keepDims}`, async () => {
      const run = () => tf.mean(tf.tensor(values(tf.util.sizeFromShape(c.shape), 151 + i), c.shape), c.axis, c.keepDims);
      const [wasm] = await runOn('wasm', run);
      const [cpu] = await runOn('cpu', run);
      await tf.setBackend('wasm');
      const shape = tf.tidy(run).shape;
      await tf.setBackend('cpu');
      assert.deepEqual(shape, tf.tidy(run).shape);
      assert.ok(relativeError(wasm, cpu) < 1e-5, `relative error ${relativeError(wasm, cpu)}`);
    });
  }

  it('still averages int32 tensors (handed to tfjs-wasm)', async () => {
    const [wasm] = await runOn('wasm', () => tf.mean(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'int32'), 1));
    const [cpu] = await runOn('cpu', () => tf.mean(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2], 'int32'), 1));
    assert.deepEqual(Array.from(wasm), Array.from(cpu));
  });
});
