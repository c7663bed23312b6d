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
  { x: [2, 9, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' }, // small image: gathered
  { x: [2, 24, 24, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' }, // shifted on the padded grid
  { x: [1, 40, 40, 5], filter: [3, 3, 5, 2], strides: 1, pad: 'valid' }, // shifted, no padding
  { x: [2, 9, 9, 5], filter: [3, 3, 5, 6], strides: 2, pad: 'valid' },
  { x: [2, 10, 10, 5], filter: [3, 3, 5, 6], strides: 2, pad: 'same' },
  { x: [3, 7, 7, 8], filter: [1, 1, 8, 5], strides: 1, pad: 'valid' }, // dWᵀ = dyᵀ·x
  { x: [2, 5, 5, 3], filter: [1, 1, 3, 7], strides: 1, pad: 'same' }, // im2col is xᵀ itself
  { x: [2, 6, 6, 4], filter: [1, 1, 4, 3], strides: 2, pad: 'valid' },
  { x: [1, 11, 10, 2], filter: [5, 5, 2, 3], strides: [2, 1], pad: 'same' },
  { x: [2, 6, 6, 3], filter: [3, 2, 3, 2], strides: 1, pad: 1 },
  { x: [2, 4, 4, 3], filter: [5, 5, 3, 2], strides: 1, pad: 'same' },
];

function filterGradient(c: Case, seed: number): tf.Tensor {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  const x = tf.tensor4d(values(tf.util.sizeFromShape(c.x), seed), c.x);
  const dy = tf.tensor4d(values(tf.util.sizeFromShape(info.outShape), seed + 1), info.outShape);
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter,
  }) as tf.Tensor;
}

describe('Conv2DBackpropFilter on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of cases.entries()) {
    it(`matches the cpu backend: x ${c.x}, filter ${c.filter}, strides ${c.strides}, pad ${c.pad}`, async () => {
      const [wasm] = await runOn('wasm', () => filterGradient(c, 11 + i));
      const [cpu] = await runOn('cpu', () => filterGradient(c, 11 + i));
      assert.equal(wasm.length, tf.util.sizeFromShape(c.filter));
      assert.ok(relativeError(wasm, cpu) < 1e-5, `relative error ${relativeError(wasm, cpu)}`);
    });
  }

  // Limits of two images' im2col: 27 taps times 26x26 grid positions (stride 1 on 24x24: the
  // padded grid), or 5x5 output positions (stride 2: gathered).
  for (const [c, limit] of [
    [{ x: [5, 24, 24, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' }, 27 * 676 * 2],
    [{ x: [5, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' }, 27 * 25 * 2],
  ] as [Case, number][]) {
    it(`gives the same result when the im2col buffer is split into chunks of images (strides ${c.strides})`, async () => {
      const [whole] = await runOn('wasm', () => filterGradient(c, 3));
      const previous = setIm2colLimit(limit); // two images per chunk: chunks of 2, 2, 1
      try {
        const [chunked] = await runOn('wasm', () => filterGradient(c, 3));
        const [cpu] = await runOn('cpu', () => filterGradient(c, 3));
        assert.ok(relativeError(chunked, cpu) < 1e-5, `relative error ${relativeError(chunked, cpu)}`);
        assert.ok(relativeError(chunked, whole) < 1e-5);
      } finally {
        setIm2colLimit(previous);
      }
    });
  }

  it('refuses NCHW data with a StrataError that names the fix', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 3, 4, 4]);
    const dy = tf.zeros([1, 2, 4, 4]);
    try {
      assert.throws(
        () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 2] }),
        (e: Error & { kind?: string }) => e.kind === 'unsupported-option' && /NHWC/.test(e.message),
      );
    } finally {
      tf.dispose([x, dy]);
    }
  });
});
