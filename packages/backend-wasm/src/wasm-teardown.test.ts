import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { WasmStrategy } from './index.js';

describe('WasmStrategy teardown', () => {
  it("gives the host's tfjs backend back", async () => {
    await tf.setBackend('cpu');
    const host = tf.tensor1d([1, 2, 3]);
    const strategy = new WasmStrategy();
    await strategy.setup();
    assert.equal(tf.getBackend(), 'wasm');
    await strategy.teardown();
    assert.equal(tf.getBackend(), 'cpu');
    await strategy.teardown();
    assert.equal(tf.getBackend(), 'cpu', 'teardown stays idempotent');
    const sum = tf.add(host, 1);
    assert.deepEqual(Array.from(sum.dataSync()), [2, 3, 4]);
    tf.dispose([host, sum]);
  });
});
