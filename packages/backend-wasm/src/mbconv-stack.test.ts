// A few training steps of a small stack of MBConv blocks on wasm, written in tfjs-core ops with
// named weights and checked against tfjs's cpu backend gradient by gradient: stem conv (stride 2),
// batch norm, swish, two MBConv blocks (1x1 expansion, depthwise 3x3 and 5x5 with stride 2,
// squeeze-excitation, 1x1 projection, dropout, residual add), head conv, global average pool,
// dense head, sigmoid cross-entropy, Adam. It exercises EfficientNet's kernels at a size a test
// can afford; it is not the benchmark's EfficientNet-B0, which @strata/vision defines.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, runOn, values, wasmReady } from './testing/against-cpu.js';

const SHAPES: Record<string, number[]> = {
  stem: [3, 3, 3, 16], stemG: [16], stemB: [16],
  b1Expand: [1, 1, 16, 32], b1G1: [32], b1B1: [32], b1Dw: [3, 3, 32, 1], b1G2: [32], b1B2: [32],
  b1SeR: [32, 4], b1SeRb: [4], b1SeE: [4, 32], b1SeEb: [32], b1Proj: [1, 1, 32, 16], b1G3: [16], b1B3: [16],
  b2Expand: [1, 1, 16, 48], b2G1: [48], b2B1: [48], b2Dw: [5, 5, 48, 1], b2G2: [48], b2B2: [48],
  b2SeR: [48, 4], b2SeRb: [4], b2SeE: [4, 48], b2SeEb: [48], b2Proj: [1, 1, 48, 24], b2G3: [24], b2B3: [24],
  head: [1, 1, 24, 32], headG: [32], headB: [32], dense: [32, 1], denseB: [1],
};
const BATCH = 8;
const SIZE = 32;

function initialWeights(): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  let seed = 1000;
  for (const [name, shape] of Object.entries(SHAPES)) {
    const size = tf.util.sizeFromShape(shape);
    if (/G\d?$/.test(name)) out[name] = new Float32Array(size).fill(1);
    else if (/(B\d?|b|Eb|Rb)$/.test(name)) out[name] = new Float32Array(size);
    else {
      const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      out[name] = values(size, seed++).map((v) => v * Math.sqrt(3 / fanIn));
    }
  }
  return out;
}

const swish = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));
function bn(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3) as tf.Tensor4D;
}
function se(x: tf.Tensor4D, w: Record<string, tf.Tensor>, p: string): tf.Tensor4D {
  const squeezed = tf.mean(x, [1, 2]);
  const reduced = swish(tf.add(tf.matMul(squeezed, w[`${p}SeR`] as tf.Tensor2D), w[`${p}SeRb`]));
  const gate = tf.sigmoid(tf.add(tf.matMul(reduced as tf.Tensor2D, w[`${p}SeE`] as tf.Tensor2D), w[`${p}SeEb`]));
  return tf.mul(x, tf.reshape(gate, [x.shape[0], 1, 1, x.shape[3]])) as tf.Tensor4D;
}

function loss(w: Record<string, tf.Tensor>, x: tf.Tensor4D, y: tf.Tensor, dropoutSeed: number): tf.Scalar {
  const conv = (h: tf.Tensor4D, k: string, stride = 1) => tf.conv2d(h, w[k] as tf.Tensor4D, stride, 'same');
  let h = swish(bn(conv(x, 'stem', 2), w.stemG, w.stemB)) as tf.Tensor4D; // 16x16x16
  // MBConv 1: expansion, depthwise 3x3, SE, projection, dropout, residual.
  let e = swish(bn(conv(h, 'b1Expand'), w.b1G1, w.b1B1)) as tf.Tensor4D;
  e = swish(bn(tf.depthwiseConv2d(e, w.b1Dw as tf.Tensor4D, 1, 'same'), w.b1G2, w.b1B2)) as tf.Tensor4D;
  e = bn(conv(se(e, w, 'b1'), 'b1Proj'), w.b1G3, w.b1B3);
  h = tf.add(h, tf.dropout(e, 0.2, undefined, dropoutSeed));
  // MBConv 2: depthwise 5x5 with stride 2, no residual.
  e = swish(bn(conv(h, 'b2Expand'), w.b2G1, w.b2B1)) as tf.Tensor4D;
  e = swish(bn(tf.depthwiseConv2d(e, w.b2Dw as tf.Tensor4D, 2, 'same'), w.b2G2, w.b2B2)) as tf.Tensor4D; // 8x8x48
  h = bn(conv(se(e, w, 'b2'), 'b2Proj'), w.b2G3, w.b2B3);
  h = swish(bn(conv(h, 'head'), w.headG, w.headB)) as tf.Tensor4D;
  const pooled = tf.dropout(tf.mean(h, [1, 2]), 0.2, undefined, dropoutSeed + 1);
  const logits = tf.add(tf.matMul(pooled as tf.Tensor2D, w.dense as tf.Tensor2D), w.denseB);
  return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
}

function batch(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const labels = Array.from({ length: BATCH }, (_, i) => i % 2);
  // Positives carry a brighter centre, so there is something to learn.
  const pixels = values(BATCH * SIZE * SIZE * 3, 5);
  for (let b = 0; b < BATCH; b++) {
    if (labels[b] === 0) continue;
    for (let i = 10; i < 22; i++) for (let j = 10; j < 22; j++) for (let c = 0; c < 3; c++) pixels[((b * SIZE + i) * SIZE + j) * 3 + c] += 1;
  }
  return { x: tf.tensor4d(pixels, [BATCH, SIZE, SIZE, 3]), y: tf.tensor2d(labels, [BATCH, 1]) };
}

describe('an MBConv stack on wasm', () => {
  before(async () => {
    await wasmReady();
  });

  it('has the same loss and gradients as the cpu backend', async () => {
    const names = Object.keys(SHAPES);
    const step = () => {
      const init = initialWeights();
      const w = Object.fromEntries(names.map((n) => [n, tf.tensor(init[n], SHAPES[n])]));
      const { x, y } = batch();
      const { value: l, grads: g } = tf.valueAndGrads((...ws: tf.Tensor[]) => loss(Object.fromEntries(names.map((n, i) => [n, ws[i]])), x, y, 7))(names.map((n) => w[n]));
      return [l, ...g];
    };
    const wasm = await runOn('wasm', step);
    const cpu = await runOn('cpu', step);
    assert.equal(wasm.length, names.length + 1);
    assert.ok(Math.abs(wasm[0][0] - cpu[0][0]) < 1e-5, `loss ${wasm[0][0]} vs ${cpu[0][0]}`);
    // Gradients that batch norm makes ~0 in exact arithmetic (a beta followed by conv + batch
    // norm) are float noise on both backends: errors are measured against at least 1% of the
    // largest gradient.
    const largest = Math.max(...cpu.slice(1).map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
    const errors = names.map((_, i) => {
      const own = cpu[i + 1].reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      return (relativeError(wasm[i + 1], cpu[i + 1]) * Math.max(own, 1e-6)) / Math.max(own, largest * 1e-2);
    });
    if (process.env.STRATA_VERBOSE) console.log(names.map((n, i) => `${n} ${errors[i].toExponential(1)}`).join(', '));
    errors.forEach((err, i) => assert.ok(err < 1e-4, `gradient of ${names[i]}: relative error ${err}`));
  });

  it('trains: the loss falls over a few Adam steps, with no tensor leak', async () => {
    await tf.setBackend('wasm');
    const init = initialWeights();
    const w = Object.fromEntries(Object.entries(SHAPES).map(([n, s]) => [n, tf.variable(tf.tensor(init[n], s), true, `mbconv-stack/${n}`)]));
    const { x, y } = batch();
    const optimizer = tf.train.adam(1e-2);
    const losses: number[] = [];
    let tensorsAfterFirst = 0;
    for (let s = 0; s < 8; s++) {
      const value = optimizer.minimize(() => loss(w, x, y, 100 + s), true) as tf.Scalar;
      losses.push((await value.data())[0]);
      value.dispose();
      if (s === 0) tensorsAfterFirst = tf.memory().numTensors;
    }
    assert.equal(tf.memory().numTensors, tensorsAfterFirst, 'tensors leaked per step');
    optimizer.dispose();
    tf.dispose([x, y, ...Object.values(w)]);
    assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
    assert.ok(losses[7] < losses[0] * 0.8, `loss did not fall: ${losses.map((l) => l.toFixed(4)).join(', ')}`);
  });
});
