import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { runOn, values, wasmReady } from '../testing/against-cpu.js';

const cases: { shape: number[]; reps: number[]; dtype?: 'int32' | 'bool' }[] = [
  { shape: [1, 1, 1, 5], reps: [3, 4, 6, 1] }, // batch norm's gradient
  { shape: [2, 3], reps: [2, 3] },
  { shape: [3], reps: [5] },
  { shape: [2, 1, 3, 2], reps: [1, 3, 2, 2] },
  { shape: [2, 2, 2], reps: [1, 1, 1] },
  { shape: [4, 3], reps: [3, 2], dtype: 'int32' },
  { shape: [2, 3], reps: [2, 2], dtype: 'bool' },
  { shape: [2, 3], reps: [0, 2] },
];

describe('Tile on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of cases.entries()) {
    it(`matches the cpu backend: shape ${c.shape}, reps ${c.reps}${c.dtype ? `, ${c.dtype}` : ''}`, async () => {
      const run = () => {
        const data = Array.from(values(tf.util.sizeFromShape(c.shape), 131 + i), (v) => (c.dtype === undefined ? v : c.dtype === 'bool' ? Number(v > 0) : Math.round(v * 100)));
        const t = tf.tile(tf.tensor(data, c.shape, c.dtype ?? 'float32'), c.reps);
        return c.dtype === undefined ? t : tf.cast(t, 'float32');
      };
      const [wasm] = await runOn('wasm', run);
      const [cpu] = await runOn('cpu', run);
      assert.deepEqual(Array.from(wasm), Array.from(cpu));
    });
  }
});
