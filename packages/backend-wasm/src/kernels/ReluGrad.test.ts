import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { STRATA_RELU_GRAD } from '@strata/core';
import { runOn, values, wasmReady } from '../testing/against-cpu.js';

describe("relu's gradient on wasm", () => {
  before(async () => {
    await wasmReady();
  });

  for (const shape of [[2, 6, 6, 8], [3, 7], [5]]) {
    it(`matches the cpu backend, shape ${shape} (${tf.util.sizeFromShape(shape) % 4} left after the SIMD blocks)`, async () => {
      const run = () => {
        const x = tf.tensor(values(tf.util.sizeFromShape(shape), 3), shape);
        const dy = tf.tensor(values(tf.util.sizeFromShape(shape), 4), shape);
        return tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy);
      };
      const [wasm] = await runOn('wasm', run);
      const [cpu] = await runOn('cpu', run);
      // Equal as numbers: tfjs's dy * 0 gives -0 where dy < 0, the kernel (as jax's select) +0.
      wasm.forEach((v, i) => assert.ok(v === cpu[i], `element ${i}: ${v} vs ${cpu[i]}`));
    });
  }

  it('runs as one kernel, and gives 0 where x is NaN (as TensorFlow, jax and PyTorch)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([NaN, -1, 0, 2, 3, NaN, 0.5]);
    const dy = tf.tensor([1, 2, 3, 4, 5, 6, 7]);
    const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy));
    const names = profile.kernelNames;
    assert.ok(names.includes(STRATA_RELU_GRAD), `kernels: ${names.join(', ')}`);
    assert.ok(!names.includes('Step'), `kernels: ${names.join(', ')}`);
    const grad = tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy);
    assert.deepEqual(Array.from(grad.dataSync()), [0, 0, 0, 4, 5, 0, 7]);
    tf.dispose([x, dy, grad, profile.result as tf.Tensor]);
  });

  it("a relu's gradient of a gradient stays tfjs's", async () => {
    const run = () => tf.grad((t: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.relu(u), u)))(t)))(tf.tensor([-1, 0.5, 2, -3]));
    const [wasm] = await runOn('wasm', run);
    const [cpu] = await runOn('cpu', run);
    assert.deepEqual(Array.from(wasm), Array.from(cpu));
  });
});
