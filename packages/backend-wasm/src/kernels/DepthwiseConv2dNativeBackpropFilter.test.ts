import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, runOn, values, wasmReady } from '../testing/against-cpu.js';
import { depthwiseCases, gatherTaps, outShapeOf, undilated, type DepthwiseCase } from '../testing/depthwise-cases.js';

function filterGradient(c: DepthwiseCase, seed: number, filterShape: [number, number, number, number], dilations: number): tf.Tensor {
  const x = tf.tensor4d(values(tf.util.sizeFromShape(c.x), seed), c.x);
  const dy = tf.tensor4d(values(tf.util.sizeFromShape(outShapeOf(c)), seed + 1), outShapeOf(c));
  return tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, {
    strides: c.strides, pad: c.pad, dilations, filterShape,
  }) as tf.Tensor;
}

describe('DepthwiseConv2dNativeBackpropFilter on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of depthwiseCases.entries()) {
    it(`matches the cpu backend: x ${c.x}, filter ${c.filter}, strides ${c.strides}, pad ${c.pad}, dilations ${c.dilations ?? 1}`, async () => {
      const d = c.dilations ?? 1;
      const [wasm] = await runOn('wasm', () => filterGradient(c, 71 + i, c.filter, d));
      let [cpu] = await runOn('cpu', () => filterGradient(c, 71 + i, undilated(c).expandedFilter, 1));
      if (d > 1) cpu = gatherTaps(cpu, c.filter, d);
      assert.equal(wasm.length, tf.util.sizeFromShape(c.filter));
      assert.ok(relativeError(wasm, cpu) < 1e-5, `relative error ${relativeError(wasm, cpu)}`);
    });
  }
});
