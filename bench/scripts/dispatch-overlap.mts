// Synchronous against asynchronous dispatch of a compiled step (CompileStepOptions.dispatch) on
// the host-bound MLP (784-256-10, batch 64, FlatAdam) through a local XLA:CPU server, reading
// the loss every `--read-every` steps as a training loop that logs does. Rounds alternate the
// two modes so that machine noise hits both alike; each line is the median round.
//   node --import tsx bench/scripts/dispatch-overlap.mts [--read-every 50] [--steps 100] [--rounds 6]
// Needs the project's .venv (npm run setup) and the packages built.
import * as tf from '@tensorflow/tfjs-core';
import { FlatAdam } from '@strata/training';
import { LocalXlaStrategy } from '@strata/xla';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const readEvery = arg('read-every', 50);
const steps = arg('steps', 100);
const rounds = arg('rounds', 6);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const strategy = new LocalXlaStrategy({ platform: 'cpu' });
await strategy.setup();
const [w1, b1, w2, b2] = strategy.scope(() => [
  tf.variable(tf.randomNormal([784, 256], 0, 0.05, 'float32', 1)),
  tf.variable(tf.zeros([256])),
  tf.variable(tf.randomNormal([256, 10], 0, 0.05, 'float32', 2)),
  tf.variable(tf.zeros([10])),
]);
const optimizer = strategy.scope(() => new FlatAdam(1e-3));
const x = strategy.scope(() => tf.randomNormal([64, 784], 0, 1, 'float32', 3));
const y = strategy.scope(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 10), 'int32'), 10), 'float32'));
const fn = ({ x, y }: { x: tf.Tensor; y: tf.Tensor }) =>
  optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2)) as tf.Scalar, true, [w1, b1, w2, b2])!;
const modes = ['synchronous', 'asynchronous'] as const;
const compiled = Object.fromEntries(modes.map((dispatch) => [dispatch, strategy.compileStep(fn, { name: `${dispatch} step`, dispatch })]));

async function round(mode: (typeof modes)[number], n: number): Promise<{ ms: number; cpuMs: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let last: tf.Tensor | undefined;
  for (let i = 0; i < n; i++) {
    const loss = await compiled[mode]!({ x, y });
    if ((i + 1) % readEvery === 0) await strategy.read(loss);
    last?.dispose();
    last = loss;
  }
  if (last) await strategy.read(last);
  last?.dispose();
  const cpu = process.cpuUsage(cpu0);
  return { ms: (performance.now() - t0) / n, cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

for (const mode of modes) await round(mode, 20);
const results = Object.fromEntries(modes.map((m) => [m, [] as { ms: number; cpuMs: number }[]]));
for (let r = 0; r < rounds; r++) for (const mode of modes) results[mode]!.push(await round(mode, steps));
for (const mode of modes) {
  const rs = results[mode]!;
  console.log(`${mode}: ${median(rs.map((r) => r.ms)).toFixed(2)} ms a step (rounds ${rs.map((r) => r.ms.toFixed(2)).join(', ')}), Node CPU ${median(rs.map((r) => r.cpuMs)).toFixed(2)} ms a step`);
}
await strategy.teardown();
