// One Adam training step of a bench model timed on the WASM strategy (or, with --cpu, on the CPU
// strategy's pure-JS engine), with forward passes in between: steps and forward passes alternate,
// so `stepOverForward` compares the two under the same load, which on a shared machine says more
// than either time alone. --profile prints the time per tfjs kernel of one step. The model is the
// bench's (buildTfjsModel of the spec in @strata/vision); sigmoid cross-entropy, tf.train.adam(1e-3).
//   node --import tsx bench/profile/wasm-step.ts [--steps N] [--cpu] [--profile] [--model tiny-cnn|efficientnet-b0] [--batch-size 32] [--image-size 64]
import * as tf from '@tensorflow/tfjs-core';
import { CpuStrategy } from '@strata/backend-cpu';
import { WasmStrategy } from '@strata/backend-wasm';
import { buildTfjsModel, EFFICIENTNET_B0, TINY_CNN } from '@strata/vision/models';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const steps = flag('steps', 10);
const batch = flag('batch-size', 32);
const size = flag('image-size', 64);
const spec = args.includes('--model') && args[args.indexOf('--model') + 1] === EFFICIENTNET_B0.name ? EFFICIENTNET_B0 : TINY_CNN;

await (args.includes('--cpu') ? new CpuStrategy({ engine: 'js' }) : new WasmStrategy()).setup();
const model = buildTfjsModel(spec, { seed: 1 });
const x = tf.randomUniform([batch, size, size, spec.inputChannels], -1, 1, 'float32', 99) as tf.Tensor4D;
const y = tf.tensor2d(Array.from({ length: batch }, (_, i) => i % 2), [batch, 1]);
const optimizer = tf.train.adam(1e-3);
const loss = () => tf.losses.sigmoidCrossEntropy(y, model.apply(x)) as tf.Scalar;

async function step(): Promise<number> {
  const value = optimizer.minimize(loss, true, [...model.variables]) as tf.Scalar;
  const out = (await value.data())[0]!;
  value.dispose();
  return out;
}

async function forward(): Promise<void> {
  const value = tf.tidy(loss);
  await value.data();
  value.dispose();
}

for (let i = 0; i < 3; i++) await step();
if (args.includes('--profile')) {
  const info = await tf.profile(() => {
    (optimizer.minimize(loss, true, [...model.variables]) as tf.Scalar).dataSync();
  });
  const byKernel = new Map<string, number>();
  for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  console.log([...byKernel].sort((a, b) => b[1] - a[1]).map(([n, t]) => `${n} ${t.toFixed(1)}`).join('\n'));
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(JSON.stringify({
  backend: tf.getBackend(),
  model: `${spec.name} ${batch}x${size}x${size}`,
  steps,
  medianMs: +median(times).toFixed(1),
  minMs: +Math.min(...times).toFixed(1),
  forwardMedianMs: +median(forwardTimes).toFixed(1),
  stepOverForward: +(median(times) / median(forwardTimes)).toFixed(2),
  minStepOverMinForward: +(Math.min(...times) / Math.min(...forwardTimes)).toFixed(2),
  loss: last,
  tensors: tf.memory().numTensors,
}));
