import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { runOn, values, wasmReady } from '../testing/against-cpu.js';

const data = (shape: number[], seed: number, dtype: 'float32' | 'int32' | 'bool' = 'float32') => {
  const raw = Array.from(values(tf.util.sizeFromShape(shape), seed), (v) => (dtype === 'float32' ? v : dtype === 'bool' ? Number(v > 0) : Math.round(v * 100)));
  return tf.tensor(raw, shape, dtype);
};
const asFloat = (t: tf.Tensor) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));

describe('Slice and SplitV on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  const slices: { shape: number[]; begin: number[]; size: number[]; dtype?: 'int32' | 'bool'; what: string }[] = [
    { shape: [1000], begin: [123], size: [456], what: 'a run of a flat tensor' },
    { shape: [6, 4, 3], begin: [2, 0, 0], size: [3, -1, -1], what: 'rows of the leading axis' },
    { shape: [1, 5, 4], begin: [0, 1, 0], size: [1, 2, 4], what: 'contiguous behind a unit axis' },
    { shape: [4, 5, 3], begin: [1, 1, 0], size: [2, 3, 3], what: 'not contiguous (tfjs-wasm\'s own kernel)' },
    { shape: [8, 2], begin: [3, 0], size: [2, 2], dtype: 'int32', what: 'int32' },
    { shape: [9], begin: [2], size: [4], dtype: 'bool', what: 'bool' },
    { shape: [5, 3], begin: [2, 0], size: [0, 3], what: 'empty' },
  ];
  for (const [i, c] of slices.entries()) {
    it(`Slice matches the cpu backend: ${c.what}`, async () => {
      const run = () => asFloat(tf.slice(data(c.shape, 7 + i, c.dtype), c.begin, c.size));
      const [wasm] = await runOn('wasm', run);
      const [cpu] = await runOn('cpu', run);
      assert.deepEqual(Array.from(wasm!), Array.from(cpu!));
    });
  }

  it('SplitV matches the cpu backend along the leading axis (a flat optimizer update) and along an inner one', async () => {
    const run = () => [
      ...tf.split(data([3000], 3), [1000, 7, 1500, 493]),
      ...tf.split(data([6, 4, 2], 4), [1, 2, 3], 0),
      ...tf.split(data([3, 6, 2], 5), [4, 2], 1),
    ];
    const wasm = await runOn('wasm', run);
    const cpu = await runOn('cpu', run);
    assert.equal(wasm.length, 9);
    wasm.forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(cpu[i]!), `piece ${i}`));
  });

  it('a slice outlives its source, which it does not share', async () => {
    await tf.setBackend('wasm');
    const x = data([10], 9);
    const expected = Array.from(x.dataSync()).slice(2, 6);
    const piece = tf.slice(x, [2], [4]);
    x.dispose();
    assert.deepEqual(Array.from(piece.dataSync()), expected);
    piece.dispose();
  });
});
