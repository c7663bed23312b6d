import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runOn, values, wasmReady } from '../testing/against-cpu.js';

describe('Identity and same-dtype Cast on wasm', () => {
  before(async () => {
    await wasmReady();
    await tf.setBackend('wasm');
  });

  it('share the data instead of copying it, and the copy outlives the original', () => {
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor(values(12, 1), [3, 4]);
    const heapBefore = tf.memory().numBytes;
    const clone = tf.clone(x);
    const cast = tf.cast(x, 'float32');
    assert.equal(backend.getMemoryOffset(clone.dataId), backend.getMemoryOffset(x.dataId));
    assert.equal(backend.getMemoryOffset(cast.dataId), backend.getMemoryOffset(x.dataId));
    assert.equal(tf.memory().numBytes, heapBefore + 2 * 12 * 4, 'tfjs counts each tensor');
    const expected = Array.from(x.dataSync());
    x.dispose();
    assert.deepEqual(Array.from(clone.dataSync()), expected);
    clone.dispose();
    assert.deepEqual(Array.from(cast.dataSync()), expected);
    cast.dispose();
  });

  it('a real conversion still converts, and a cast to bool is x != 0', async () => {
    const [wasm] = await runOn('wasm', () => tf.cast(tf.cast(tf.tensor([1.7, -2.2, 0.4]), 'int32'), 'float32'));
    assert.deepEqual(Array.from(wasm), [1, -2, 0]);
    const [bool] = await runOn('wasm', () => tf.cast(tf.cast(tf.tensor([3, 0, -1, NaN, 0.25]), 'bool'), 'float32'));
    assert.deepEqual(Array.from(bool), [1, 0, 1, 1, 1]);
    const [fromInt] = await runOn('wasm', () => tf.cast(tf.cast(tf.tensor([256, 0, -7], [3], 'int32'), 'bool'), 'float32'));
    assert.deepEqual(Array.from(fromInt), [1, 0, 1]);
  });

  it('strings go to tfjs-wasm\'s own Identity', () => {
    const s = tf.tensor(['a', 'bc']);
    const clone = tf.clone(s);
    s.dispose();
    assert.deepEqual(clone.dataSync(), ['a', 'bc']);
    clone.dispose();
  });

  it('a gradient through saved (cloned) tensors matches the cpu backend and leaks nothing', async () => {
    const run = () => {
      const x = tf.tensor(values(2 * 6 * 6 * 4, 7), [2, 6, 6, 4]);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.sigmoid(t))))(x);
    };
    const [wasm] = await runOn('wasm', run);
    const [cpu] = await runOn('cpu', run);
    wasm.forEach((v, i) => assert.ok(Math.abs(v - cpu[i]!) < 1e-5, `element ${i}: ${v} vs ${cpu[i]}`));
  });
});
