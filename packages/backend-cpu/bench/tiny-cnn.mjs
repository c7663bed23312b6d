// The "tiny CNN" of DESIGN.md on CpuStrategy's native engine: ms per training step.
//   node packages/backend-cpu/bench/tiny-cnn.mjs [steps]   (after npx strata-native build)
import * as tf from '@tensorflow/tfjs-core';
import { CpuStrategy } from '@strata/backend-cpu';

const steps = Number(process.argv[2] ?? 20);
const strategy = new CpuStrategy({ engine: 'native' });
await strategy.setup();
const he = (shape) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / shape.slice(0, -1).reduce((a, b) => a * b, 1)), 'float32', 1));
const p = {
  c1: he([3, 3, 3, 16]), b1: tf.variable(tf.zeros([16])),
  c2: he([3, 3, 16, 32]), b2: tf.variable(tf.zeros([32])),
  c3: he([3, 3, 32, 64]), b3: tf.variable(tf.zeros([64])),
  d: he([64, 1]), bd: tf.variable(tf.zeros([1])),
};
const x = tf.randomUniform([32, 64, 64, 3], 0, 1, 'float32', 2);
const y = tf.cast(tf.greater(tf.randomUniform([32, 1], 0, 1, 'float32', 3), 0.5), 'float32');
const model = () => {
  let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, p.c1, 1, 'same'), p.b1)), 2, 2, 'valid');
  h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, p.c2, 1, 'same'), p.b2)), 2, 2, 'valid');
  h = tf.relu(tf.add(tf.conv2d(h, p.c3, 1, 'same'), p.b3));
  return tf.losses.sigmoidCrossEntropy(y, tf.add(tf.matMul(tf.mean(h, [1, 2]), p.d), p.bd));
};
const optimizer = tf.train.adam(1e-3);
const step = async () => {
  const loss = await strategy.runStep(() => optimizer.minimize(model, true));
  const value = (await strategy.read(loss))[0];
  loss.dispose();
  return value;
};
for (let i = 0; i < 3; i++) await step();
const times = [];
let last = 0;
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  last = await step();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ engine: strategy.describe().engine, steps, medianMs: +times[steps >> 1].toFixed(1), meanMs: +(times.reduce((a, b) => a + b) / steps).toFixed(1), loss: last }));
