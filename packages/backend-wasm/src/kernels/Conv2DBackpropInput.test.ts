import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, runOn, values, wasmReady } from '../testing/against-cpu.js';
import { setIm2colLimit } from './Conv2DBackpropFilter.js';

interface Case {
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: number | [number, number];
  readonly pad: 'same' | 'valid' | number;
}

const cases: Case[] = [
  { x: [2, 9, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 9, 9, 5], filter: [3, 3, 5, 6], strides: 2, pad: 'valid' },
  { x: [2, 10, 10, 5], filter: [3, 3, 5, 6], strides: 2, pad: 'same' },
  { x: [2, 10, 11, 4], filter: [3, 3, 4, 2], strides: 2, pad: 'valid' },
  { x: [3, 7, 7, 8], filter: [1, 1, 8, 5], strides: 1, pad: 'valid' },
  { x: [1, 11, 10, 2], filter: [5, 5, 2, 3], strides: [2, 1], pad: 'same' },
  { x: [2, 6, 6, 3], filter: [3, 2, 3, 2], strides: 1, pad: 1 },
  { x: [1, 8, 8, 2], filter: [4, 4, 2, 3], strides: 3, pad: 'same' },
  { x: [2, 9, 9, 8], filter: [3, 3, 8, 4], strides: 2, pad: 'same' }, // col2im, two SIMD blocks
  { x: [1, 7, 7, 4], filter: [2, 2, 4, 3], strides: 2, pad: 3 }, // col2im with padding wider than the filter
  // Stride 1 with padding wider than the filter's reach: handed back to tfjs-wasm's own kernel.
  { x: [1, 5, 5, 2], filter: [2, 2, 2, 3], strides: 1, pad: 3 },
];

function inputGradient(c: Case, seed: number): tf.Tensor {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  const dy = tf.tensor4d(values(tf.util.sizeFromShape(info.outShape), seed), info.outShape);
  const filter = tf.tensor4d(values(tf.util.sizeFromShape(c.filter), seed + 1), c.filter);
  return tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, {
    strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x,
  }) as tf.Tensor;
}

describe('Conv2DBackpropInput on wasm (stride-1 XNNPACK convolution)', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of cases.entries()) {
    it(`matches the cpu backend: x ${c.x}, filter ${c.filter}, strides ${c.strides}, pad ${c.pad}`, async () => {
      const [wasm] = await runOn('wasm', () => inputGradient(c, 31 + i));
      const [cpu] = await runOn('cpu', () => inputGradient(c, 31 + i));
      assert.equal(wasm.length, tf.util.sizeFromShape(c.x));
      assert.ok(relativeError(wasm, cpu) < 1e-5, `relative error ${relativeError(wasm, cpu)}`);
    });
  }

  it('gives the same strided result when col2im goes in chunks of images', async () => {
    const c: Case = { x: [5, 9, 9, 6], filter: [3, 3, 6, 4], strides: 2, pad: 'same' };
    const [whole] = await runOn('wasm', () => inputGradient(c, 9));
    const previous = setIm2colLimit(54 * 25 * 2); // 54 taps x 5x5 positions x 2 images: chunks of 2, 2, 1
    try {
      const [chunked] = await runOn('wasm', () => inputGradient(c, 9));
      const [cpu] = await runOn('cpu', () => inputGradient(c, 9));
      assert.ok(relativeError(chunked, cpu) < 1e-5, `relative error ${relativeError(chunked, cpu)}`);
      assert.ok(relativeError(chunked, whole) < 1e-5);
    } finally {
      setIm2colLimit(previous);
    }
  });

  it('reads dy as tfjs-wasm does when its size disagrees with inputShape (conv2dTranspose allows it)', async () => {
    const run = () => tf.conv2dTranspose(
      tf.tensor4d(values(8 * 8 * 8, 3), [1, 8, 8, 8]), tf.tensor4d(values(8 * 8 * 8 * 8, 4), [8, 8, 8, 8]), [1, 4, 4, 8], 1, 'same');
    const [wasm] = await runOn('wasm', run);
    const [cpu] = await runOn('cpu', run);
    assert.equal(wasm.length, 4 * 4 * 8);
    assert.ok(relativeError(wasm, cpu) < 1e-5, `relative error ${relativeError(wasm, cpu)}`);
  });

  it('replaces tfjs-wasm\'s kernel rather than leaving two registrations', async () => {
    await wasmReady();
    const kernels = tf.getKernelsForBackend('wasm').filter((k) => k.kernelName === 'Conv2DBackpropInput');
    assert.equal(kernels.length, 1);
    assert.match(kernels[0].kernelFunc.name, /conv2DBackpropInput/);
  });
});
