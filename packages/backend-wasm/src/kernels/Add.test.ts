import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { runOn, values, wasmReady } from '../testing/against-cpu.js';

const cases: { a: number[]; b: number[]; dtype?: 'int32' }[] = [
  { a: [2, 5, 5, 16], b: [16] }, // a convolution's bias: the SIMD path
  { a: [16], b: [3, 4, 16] }, // bias first
  { a: [7, 8], b: [8] },
  { a: [2, 3, 3, 6], b: [6] }, // 6 channels: not a multiple of 4, tfjs-wasm's own
  { a: [4, 8], b: [4, 8] }, // same shapes: tfjs-wasm's own
  { a: [4, 1, 8], b: [1, 3, 8] }, // full broadcast: tfjs-wasm's own
  { a: [8], b: [8] }, // rank 1: tfjs-wasm's own
  { a: [5, 4], b: [4], dtype: 'int32' },
];

describe('Add on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of cases.entries()) {
    it(`matches the cpu backend: ${c.a} + ${c.b}${c.dtype ? `, ${c.dtype}` : ''}`, async () => {
      const tensor = (shape: number[], seed: number) => {
        const data = Array.from(values(tf.util.sizeFromShape(shape), seed), (v) => (c.dtype ? Math.round(v * 50) : v));
        return tf.tensor(data, shape, c.dtype ?? 'float32');
      };
      const run = () => tf.cast(tf.add(tensor(c.a, 11 + i), tensor(c.b, 31 + i)), 'float32');
      const [wasm] = await runOn('wasm', run);
      const [cpu] = await runOn('cpu', run);
      assert.deepEqual(Array.from(wasm), Array.from(cpu));
    });
  }
});
