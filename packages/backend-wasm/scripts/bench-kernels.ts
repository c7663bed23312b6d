// Each training kernel of this package against the forward convolution of the same layer (its
// natural peer: a gradient should cost about as much), on EfficientNet-B0 layer shapes at 128x128,
// batch 32, and the tiny CNN's. Prints milliseconds (median of 5) per kernel.
//   node --import tsx packages/backend-wasm/scripts/bench-kernels.ts [--small]
import * as tf from '@tensorflow/tfjs-core';
import { WasmStrategy } from '../src/index.js';
import { depthwiseFilterGradientLoop } from '../src/kernel_utils/depthwise_loops.js';

await new WasmStrategy().setup();
const batch = process.argv.includes('--small') ? 4 : 32;

function median(f: () => tf.Tensor, n = 5): number {
  tf.tidy(f).dataSync();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = tf.tidy(f);
    r.dataSync();
    times.push(performance.now() - t0);
    r.dispose();
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)];
}

const rows: Record<string, string | number>[] = [];
const conv: [string, number, number, number, number, number][] = [
  // name, size, inC, outC, kernel, stride
  ['tiny conv1', 64, 3, 16, 3, 1], ['tiny conv2', 32, 16, 32, 3, 1], ['tiny conv3', 16, 32, 64, 3, 1],
  ['b0 stem', 128, 3, 32, 3, 2], ['b0 expand 16->96 @64', 64, 16, 96, 1, 1], ['b0 project 144->24 @32', 32, 144, 24, 1, 1],
  ['b0 head 320->1280 @4', 4, 320, 1280, 1, 1],
];
for (const [name, size, ci, co, k, s] of conv) {
  const x = tf.randomNormal([batch, size, size, ci]) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
  const y = tf.conv2d(x, w, s, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  rows.push({
    layer: name,
    forward: median(() => tf.conv2d(x, w, s, 'same')),
    dW: median(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, ci, co] }) as tf.Tensor),
    dX: median(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor),
  });
  tf.dispose([x, w, y, dy]);
}
const depthwise: [string, number, number, number, number][] = [
  ['b0 dw3 @64x32', 64, 32, 3, 1], ['b0 dw3 s2 @64x96', 64, 96, 3, 2], ['b0 dw3 @32x144', 32, 144, 3, 1],
  ['b0 dw5 s2 @32x144', 32, 144, 5, 2], ['b0 dw5 @16x240', 16, 240, 5, 1], ['b0 dw5 @8x672', 8, 672, 5, 1],
];
for (const [name, size, c, k, s] of depthwise) {
  const x = tf.randomNormal([batch, size, size, c]) as tf.Tensor4D;
  const w = tf.randomNormal([k, k, c, 1]) as tf.Tensor4D;
  const y = tf.depthwiseConv2d(x, w, s, 'same');
  const dy = tf.randomNormal(y.shape) as tf.Tensor4D;
  const info = tf.backend_util.computeConv2DInfo(x.shape, w.shape, s, 1, 'same', undefined, true);
  const xv = x.dataSync() as Float32Array;
  const dyv = dy.dataSync() as Float32Array;
  const out = new Float32Array(k * k * c);
  const t0 = performance.now();
  depthwiseFilterGradientLoop(xv, dyv, info, out);
  rows.push({
    layer: name,
    forward: median(() => tf.depthwiseConv2d(x, w, s, 'same')),
    dW: median(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: s, pad: 'same', dilations: 1, filterShape: w.shape }) as tf.Tensor),
    'dW plain JS': performance.now() - t0,
    dX: median(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { strides: s, pad: 'same', dilations: 1, inputShape: x.shape }) as tf.Tensor),
  });
  tf.dispose([x, w, y, dy]);
}
for (const row of rows) for (const key of Object.keys(row)) if (typeof row[key] === 'number') row[key] = +(row[key] as number).toFixed(1);
console.table(rows);
