// The tiny CNN of DESIGN.md, one Adam step timed on wasm (and on tfjs's cpu backend with --cpu).
//   node --import tsx packages/backend-wasm/scripts/bench-tiny-cnn.ts [--steps N] [--cpu] [--profile]
// Steps and forward passes alternate, so `stepOverForward` compares the two under the same load:
// on a shared machine that ratio, times DESIGN.md's quiet forward time (40 ms), is the estimate.
// Input 32x64x64x3; conv3x3(16)+relu, maxpool 2; conv3x3(32)+relu, maxpool 2; conv3x3(64)+relu;
// global average pool; dense(1); Adam(1e-3); sigmoid cross-entropy.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { WasmStrategy } from '../src/index.js';

const args = process.argv.slice(2);
const steps = Number(args[args.indexOf('--steps') + 1] || 10) || 10;
const onCpu = args.includes('--cpu');

function values(size: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

if (onCpu) {
  await tf.setBackend('cpu');
} else {
  await new WasmStrategy().setup();
}
const shapes: Record<string, number[]> = {
  w1: [3, 3, 3, 16], b1: [16], w2: [3, 3, 16, 32], b2: [32], w3: [3, 3, 32, 64], b3: [64], wd: [64, 1], bd: [1],
};
const params: Record<string, tf.Variable> = {};
let seed = 1;
for (const [name, shape] of Object.entries(shapes)) {
  const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
  const scale = name.startsWith('b') ? 0 : Math.sqrt(6 / fanIn);
  params[name] = tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), seed++, scale), shape), true, name);
}
const x = tf.tensor4d(values(32 * 64 * 64 * 3, 99, 1), [32, 64, 64, 3]);
const y = tf.tensor2d(Array.from({ length: 32 }, (_, i) => i % 2), [32, 1]);
const optimizer = tf.train.adam(1e-3);

function loss(): tf.Scalar {
  let h = tf.fused.conv2d({ x, filter: params.w1 as tf.Tensor4D, strides: 1, pad: 'same', bias: params.b1, activation: 'relu' });
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.fused.conv2d({ x: h, filter: params.w2 as tf.Tensor4D, strides: 1, pad: 'same', bias: params.b2, activation: 'relu' });
  h = tf.maxPool(h, 2, 2, 'valid');
  h = tf.fused.conv2d({ x: h, filter: params.w3 as tf.Tensor4D, strides: 1, pad: 'same', bias: params.b3, activation: 'relu' });
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  const logits = tf.fused.matMul({ a: pooled, b: params.wd as tf.Tensor2D, bias: params.bd });
  return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
}

async function step(): Promise<number> {
  const value = optimizer.minimize(loss, true) as tf.Scalar;
  const out = (await value.data())[0];
  value.dispose();
  return out;
}

for (let i = 0; i < 3; i++) await step();
if (args.includes('--profile')) {
  const info = await tf.profile(() => { (optimizer.minimize(loss, true) as tf.Scalar).dataSync(); });
  const byKernel = new Map<string, number>();
  for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  console.log([...byKernel].sort((a, b) => b[1] - a[1]).map(([n, t]) => `${n} ${t.toFixed(1)}`).join('\n'));
}
async function forward(): Promise<void> {
  const value = tf.tidy(loss);
  await value.data();
  value.dispose();
}

const times: number[] = [];
const forwardTimes: number[] = [];
let last = 0;
for (let i = 0; i < steps; i++) {
  let t0 = performance.now();
  last = await step();
  times.push(performance.now() - t0);
  t0 = performance.now();
  await forward();
  forwardTimes.push(performance.now() - t0);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({
  backend: tf.getBackend(),
  steps,
  medianMs: +median(times).toFixed(1),
  minMs: +Math.min(...times).toFixed(1),
  forwardMedianMs: +median(forwardTimes).toFixed(1),
  stepOverForward: +(median(times) / median(forwardTimes)).toFixed(2),
  minStepOverMinForward: +(Math.min(...times) / Math.min(...forwardTimes)).toFixed(2),
  loss: last,
  tensors: tf.memory().numTensors,
}));
