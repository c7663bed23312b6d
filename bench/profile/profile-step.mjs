// Profiles training steps of a bench model on the native engine: time per tfjs kernel
// (inclusive of the kernels it calls), time per TensorFlow op (binding.executeOp), op counts,
// and what is left outside TensorFlow (tfjs engine bookkeeping, gradients, JS kernels). The
// model is the bench's (`buildTfjsModel` of the spec in @strata/vision), Adam is tf.train.adam.
//   TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 node bench/profile/profile-step.mjs [tiny-cnn|efficientnet-b0] [steps] [batch] [size]
// Needs the native engine (npx strata-native build) and the packages built (npx turbo run build --filter=@strata/bench...).
import * as tf from '@tensorflow/tfjs-core';
import { CpuStrategy } from '@strata/backend-cpu';
import { buildTfjsModel, EFFICIENTNET_B0, TINY_CNN } from '@strata/vision/models';

const [name, steps, batch, size] = [process.argv[2] ?? 'tiny-cnn', Number(process.argv[3] ?? 10), Number(process.argv[4] ?? 32), Number(process.argv[5] ?? 64)];
const spec = name === 'tiny-cnn' ? TINY_CNN : EFFICIENTNET_B0;
const strategy = new CpuStrategy({ engine: process.env.ENGINE ?? 'native' });
await strategy.setup();
const model = strategy.scope(() => buildTfjsModel(spec));
const optimizer = tf.train.adam(1e-3);
const images = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 7);
const labels = tf.cast(tf.greater(tf.randomUniform([batch, 1], 0, 1, 'float32', 8), 0.5), 'float32');

let profiling = false;
// Which part of the step runs: forward (model and loss), backward (gradients), adam (update).
let phase = 'backward';
const phaseStats = new Map();
// Tags backward ops with the gradient function that issued them: the engine runs the
// closures a gradFunc returns, so those are wrapped too.
for (const kernel of new Set(tf.getKernelsForBackend('tensorflow').map((k) => k.kernelName))) {
  const config = tf.getGradient(kernel);
  if (!config) continue;
  const inner = config.gradFunc;
  config.gradFunc = (...args) => {
    const grads = inner(...args);
    const wrapped = {};
    for (const [k, f] of Object.entries(grads)) wrapped[k] = () => { const before = phase; phase = `grad:${kernel}`; try { return f(); } finally { phase = before; } };
    return wrapped;
  };
}
const applyGradients = optimizer.applyGradients.bind(optimizer);
optimizer.applyGradients = (g) => { phase = 'adam'; try { return applyGradients(g); } finally { phase = 'backward'; } };
const forward = (x) => { phase = 'forward'; try { return tf.losses.sigmoidCrossEntropy(labels, model.apply(x)); } finally { phase = 'backward'; } };
const kernelStats = new Map();
const opStats = new Map();
const add = (map, key, ms) => {
  const s = map.get(key) ?? { n: 0, ms: 0 };
  s.n++;
  s.ms += ms;
  map.set(key, s);
};
// Kernel timers: inclusive, so nested kernels (FusedConv2D calling Add) count in both; the
// "self" column subtracts the nested kernels.
let depth = 0;
const selfStack = [];
for (const config of tf.getKernelsForBackend('tensorflow')) {
  const inner = config.kernelFunc;
  config.kernelFunc = (args) => {
    if (!profiling) return inner(args);
    selfStack.push(0);
    depth++;
    const t0 = performance.now();
    try {
      return inner(args);
    } finally {
      const ms = performance.now() - t0;
      depth--;
      const nested = selfStack.pop();
      if (selfStack.length) selfStack[selfStack.length - 1] += ms;
      add(kernelStats, config.kernelName, ms);
      add(kernelStats, `  self:${config.kernelName}`, ms - nested);
    }
  };
}
const backend = tf.backend();
// The binding's own functions are read-only: give the backend a wrapper of it instead.
const original = backend.binding;
const binding = {};
for (const key of Object.getOwnPropertyNames(original)) binding[key] = typeof original[key] === 'function' ? original[key].bind(original) : original[key];
backend.binding = binding;
const execute = binding.executeOp;
let tfMs = 0;
binding.executeOp = (op, attrs, inputs, n) => {
  if (!profiling) return execute(op, attrs, inputs, n);
  const t0 = performance.now();
  const r = execute(op, attrs, inputs, n);
  const ms = performance.now() - t0;
  tfMs += ms;
  add(opStats, op, ms);
  const size = r[0] ? r[0].shape.reduce((a, b) => a * b, 1) : 0;
  add(phaseStats, `${phase.padEnd(9)} ${op} ${size > 10000 ? 'large' : 'small'}`, ms);
  return r;
};
const create = binding.createTensor;
let creates = 0;
binding.createTensor = (...a) => { if (profiling) creates++; return create(...a); };

const step = async () => {
  const loss = await strategy.runStep(() => optimizer.minimize(() => forward(images), true, model.variables));
  const v = (await strategy.read(loss))[0];
  loss.dispose();
  return v;
};
for (let i = 0; i < 3; i++) await step();
profiling = true;
const t0 = performance.now();
const losses = [];
for (let i = 0; i < steps; i++) losses.push(await step());
const total = (performance.now() - t0) / steps;
profiling = false;
// The same steps without the profiler, for its own overhead.
const t1 = performance.now();
for (let i = 0; i < steps; i++) await step();
const plain = (performance.now() - t1) / steps;

const per = (s) => `${(s.ms / steps).toFixed(2).padStart(8)} ms ${String(s.n / steps).padStart(6)} calls`;
const sorted = (m) => [...m.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(`${name} ${batch}x${size}x${size}: ${total.toFixed(1)} ms/step profiled, ${plain.toFixed(1)} plain; TF ops ${(tfMs / steps).toFixed(1)} ms in ${[...opStats.values()].reduce((a, s) => a + s.n, 0) / steps} ops; createTensor ${creates / steps}/step; outside TF ${(total - tfMs / steps).toFixed(1)} ms; losses ${losses.map((l) => l.toFixed(4)).join(' ')}`);
console.log('\nTF ops (binding.executeOp):');
for (const [k, s] of sorted(opStats)) console.log(`${k.padEnd(40)} ${per(s)}`);
console.log('\nTF ops by phase and output size (large: over 10k elements):');
const phases = new Map();
for (const [k, s] of phaseStats) add(phases, k.split(' ')[0], s.ms);
for (const [k, s] of phases) console.log(`${k.padEnd(10)} ${(s.ms / steps).toFixed(1)} ms`);
for (const [k, s] of sorted(phaseStats).slice(0, 40)) console.log(`${k.padEnd(48)} ${per(s)}`);
console.log('\ntfjs kernels (inclusive; self = minus nested kernels):');
for (const [k, s] of sorted(kernelStats).filter(([k]) => !k.startsWith(' '))) console.log(`${k.padEnd(40)} ${per(s)}   self ${(kernelStats.get(`  self:${k}`).ms / steps).toFixed(2)}`);
