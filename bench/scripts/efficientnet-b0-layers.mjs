// EfficientNet-B0 as the melanoma example trains it, the tfjs-layers model of @strata/vision
// (`efficientNetB0`: dropout, drop-connect, batch norm with running averages), trained by
// CpuStrategy with tf.train.adam on one fixed batch: ms per step and the loss over the steps
// (it must fall). The bench's table trains the same spec built from tfjs-core ops instead, with
// no dropout. ENGINE=js|native|auto picks the CPU engine (default native).
//   node bench/scripts/efficientnet-b0-layers.mjs [steps] [batch] [size]
import * as tf from '@tensorflow/tfjs-core';
import { CpuStrategy } from '@strata/backend-cpu';
import { efficientNetB0 } from '@strata/vision/models';

const [steps, batch, size] = [Number(process.argv[2] ?? 8), Number(process.argv[3] ?? 32), Number(process.argv[4] ?? 128)];
const strategy = new CpuStrategy({ engine: process.env.ENGINE ?? 'native' });
await strategy.setup();
const model = strategy.scope(() => efficientNetB0({ inputSize: size, seed: 1 }));
const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 2);
const y = tf.cast(tf.greater(tf.randomUniform([batch, 1], 0, 1, 'float32', 3), 0.5), 'float32');
const optimizer = tf.train.adam(1e-3);
const losses = [];
const times = [];
const before = tf.memory().numTensors;
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  const loss = await strategy.runStep(() =>
    optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true })), true),
  );
  losses.push((await strategy.read(loss))[0]);
  loss.dispose();
  times.push(performance.now() - t0);
}
const steady = times.slice(2).sort((a, b) => a - b);
console.log(JSON.stringify({
  engine: strategy.describe().engine,
  model: `efficientnet-b0 ${size}x${size}, batch ${batch}, ${model.countParams()} params`,
  firstStepMs: Math.round(times[0]),
  medianMs: Math.round(steady[steady.length >> 1]),
  losses: losses.map((l) => +l.toFixed(4)),
  tensorsGrown: tf.memory().numTensors - before,
}));
