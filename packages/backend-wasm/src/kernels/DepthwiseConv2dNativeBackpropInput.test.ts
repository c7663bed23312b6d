import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, runOn, values, wasmReady } from '../testing/against-cpu.js';
import { depthwiseCases, outShapeOf, spreadFilter, undilated, type DepthwiseCase } from '../testing/depthwise-cases.js';

function inputGradient(c: DepthwiseCase, seed: number, reference: boolean): tf.Tensor {
  const dy = tf.tensor4d(values(tf.util.sizeFromShape(outShapeOf(c)), seed), outShapeOf(c));
  let w = values(tf.util.sizeFromShape(c.filter), seed + 1);
  let filterShape = c.filter;
  let dilations = c.dilations ?? 1;
  if (reference && dilations > 1) {
    const plain = undilated(c);
    w = spreadFilter(w, c.filter, dilations);
    filterShape = plain.expandedFilter;
    dilations = 1;
  }
  const filter = tf.tensor4d(w, filterShape);
  return tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, {
    strides: c.strides, pad: c.pad, dilations, inputShape: c.x,
  }) as tf.Tensor;
}

describe('DepthwiseConv2dNativeBackpropInput on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  for (const [i, c] of depthwiseCases.entries()) {
    it(`matches the cpu backend: x ${c.x}, filter ${c.filter}, strides ${c.strides}, pad ${c.pad}, dilations ${c.dilations ?? 1}`, async () => {
      const [wasm] = await runOn('wasm', () => inputGradient(c, 51 + i, false));
      const [cpu] = await runOn('cpu', () => inputGradient(c, 51 + i, true));
      assert.equal(wasm.length, tf.util.sizeFromShape(c.x));
      assert.ok(relativeError(wasm, cpu) < 1e-5, `relative error ${relativeError(wasm, cpu)}`);
    });
  }
});
