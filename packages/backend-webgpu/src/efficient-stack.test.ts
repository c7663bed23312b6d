// A few Adam steps of an EfficientNet-like stack (stem conv, batch norm, swish, MBConv with
// depthwise conv and squeeze-excitation, residual, head conv, dense) on WebGPU, against the
// same steps on tfjs's CPU backend; and preflight on it. Small images keep llvmpipe fast.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { WebGpuStrategy } from './webgpu-strategy.js';

const availability = await new WebGpuStrategy().isAvailable();
const noGpu = availability.available ? undefined : `no WebGPU adapter here: ${availability.reason} Fix: ${availability.remedy}`;
if (noGpu) console.log(`skipping the EfficientNet-like WebGPU tests: ${noGpu}`);

const BATCH = 4;
const SIZE = 16;
const STEPS = 6;

/** Park-Miller: the same numbers on every backend, since they are made on the host. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647 - 0.5;
  };
}

const SHAPES: Record<string, number[]> = {
  stem: [3, 3, 3, 8], stemGamma: [8], stemBeta: [8],
  expand: [1, 1, 8, 16], expandGamma: [16], expandBeta: [16],
  depthwise: [3, 3, 16, 1], dwGamma: [16], dwBeta: [16],
  seReduce: [16, 4], seReduceBias: [4], seExpand: [4, 16], seExpandBias: [16],
  project: [1, 1, 16, 8], projectGamma: [8], projectBeta: [8],
  head: [1, 1, 8, 16], headGamma: [16], headBeta: [16],
  dense: [16, 1], denseBias: [1],
};

function initialWeights(): Record<string, Float32Array> {
  const next = seeded(7);
  const weights: Record<string, Float32Array> = {};
  for (const [name, shape] of Object.entries(SHAPES)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length === 4 ? shape[0] * shape[1] * (name === 'depthwise' ? 1 : shape[2]) : shape[0];
    weights[name] = Float32Array.from({ length: size }, () =>
      name.endsWith('Gamma') ? 1 : name.endsWith('Beta') || name.endsWith('Bias') ? 0 : (2 * next()) * Math.sqrt(3 / fanIn));
  }
  return weights;
}

/** Images whose label says whether the left half is brighter than the right half. */
function batch(step: number): { x: Float32Array; y: Float32Array } {
  const next = seeded(1000 + step);
  const x = new Float32Array(BATCH * SIZE * SIZE * 3);
  const y = new Float32Array(BATCH);
  for (let n = 0; n < BATCH; n++) {
    y[n] = (n + step) % 2;
    for (let i = 0; i < SIZE * SIZE * 3; i++) {
      const left = Math.floor(i / 3) % SIZE < SIZE / 2;
      x[n * SIZE * SIZE * 3 + i] = (left === (y[n] === 1) ? 0.8 : 0.2) + 0.3 * next();
    }
  }
  return { x, y };
}

type Vars = Record<string, tf.Variable>;

function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3) as tf.Tensor4D;
}

const swish = (x: tf.Tensor4D): tf.Tensor4D => tf.mul(x, tf.sigmoid(x));

function loss(v: Vars, x: tf.Tensor4D, y: tf.Tensor): tf.Scalar {
  const stem = swish(batchNorm(tf.conv2d(x, v.stem as tf.Tensor4D, 2, 'same') as tf.Tensor4D, v.stemGamma, v.stemBeta));
  const expanded = swish(batchNorm(tf.conv2d(stem, v.expand as tf.Tensor4D, 1, 'same') as tf.Tensor4D, v.expandGamma, v.expandBeta));
  const dw = swish(batchNorm(tf.depthwiseConv2d(expanded, v.depthwise as tf.Tensor4D, 1, 'same'), v.dwGamma, v.dwBeta));
  const squeezed = tf.mean(dw, [1, 2]);
  const reduced = tf.add(tf.matMul(squeezed, v.seReduce), v.seReduceBias);
  const excite = tf.sigmoid(tf.add(tf.matMul(tf.mul(reduced, tf.sigmoid(reduced)), v.seExpand), v.seExpandBias));
  const scaled = tf.mul(dw, tf.reshape(excite, [-1, 1, 1, 16])) as tf.Tensor4D;
  const projected = tf.add(batchNorm(tf.conv2d(scaled, v.project as tf.Tensor4D, 1, 'same') as tf.Tensor4D, v.projectGamma, v.projectBeta), stem) as tf.Tensor4D;
  const head = swish(batchNorm(tf.conv2d(projected, v.head as tf.Tensor4D, 1, 'same') as tf.Tensor4D, v.headGamma, v.headBeta));
  const logits = tf.add(tf.matMul(tf.mean(head, [1, 2]), v.dense), v.denseBias);
  return tf.losses.sigmoidCrossEntropy(tf.reshape(y, [-1, 1]), logits) as tf.Scalar;
}

function makeVars(): Vars {
  const vars: Vars = {};
  for (const [name, values] of Object.entries(initialWeights())) vars[name] = tf.variable(tf.tensor(values, SHAPES[name]), true, `effnet/${name}`);
  return vars;
}

/** Trains STEPS steps; `run` runs one step (directly, or through the strategy). */
async function train(
  run: (step: () => tf.Scalar) => Promise<tf.Scalar>,
  read: (t: tf.Tensor) => Promise<ArrayLike<number>>,
  makeVariables: () => Vars,
): Promise<{ losses: number[]; tensors: number[]; weights: number[]; msPerStep: number }> {
  const vars = makeVariables();
  const start = performance.now();
  const optimizer = tf.train.adam(0.01);
  const losses: number[] = [];
  const tensors: number[] = [];
  try {
    for (let step = 0; step < STEPS; step++) {
      const { x, y } = batch(step);
      const value = await run(() => {
        const xs = tf.tensor4d(x, [BATCH, SIZE, SIZE, 3]);
        const ys = tf.tensor1d(y);
        return optimizer.minimize(() => loss(vars, xs, ys), true, Object.values(vars))!;
      });
      losses.push((await read(value))[0]);
      value.dispose();
      tensors.push(tf.memory().numTensors);
    }
    const msPerStep = (performance.now() - start) / STEPS;
    const weights = Array.from(await read(vars.dense));
    return { losses, tensors, weights, msPerStep };
  } finally {
    optimizer.dispose();
    tf.dispose(Object.values(vars));
  }
}

describe('an EfficientNet-like stack on WebGPU', { skip: noGpu }, () => {
  const strategy = new WebGpuStrategy();
  let reference: Awaited<ReturnType<typeof train>>;

  before(async () => {
    await tf.setBackend('cpu');
    reference = await train(async (step) => tf.tidy(step), (t) => t.data(), makeVars);
    await strategy.setup();
  });
  after(() => strategy.teardown());

  it(`trains ${STEPS} Adam steps: the loss falls and matches the CPU backend, nothing leaks`, async () => {
    const got = await train((step) => strategy.runStep(step), (t) => strategy.read(t), () => strategy.scope(makeVars));
    const show = (r: typeof got) => `${r.losses.map((l) => l.toFixed(5)).join(' ')} (${r.msPerStep.toFixed(0)} ms/step, first step compiles)`;
    console.log(`webgpu losses: ${show(got)}\ncpu losses:    ${show(reference)}`);
    assert.ok(reference.losses[STEPS - 1] < reference.losses[0], `the reference loss did not fall: ${reference.losses}`);
    assert.ok(got.losses[STEPS - 1] < got.losses[0], `loss did not fall: ${got.losses}`);
    got.losses.forEach((l, i) => assert.ok(Math.abs(l - reference.losses[i]) <= 2e-3, `step ${i}: webgpu ${got.losses} vs cpu ${reference.losses}`));
    got.weights.forEach((w, i) => assert.ok(Math.abs(w - reference.weights[i]) <= 2e-3, `dense weight ${i}: ${w} vs ${reference.weights[i]}`));
    assert.equal(got.tensors[STEPS - 1], got.tensors[1], `tensors after each step: ${got.tensors}`);
  });

  it('preflight finds every kernel the training step needs on WebGPU', async () => {
    const vars = strategy.scope(makeVars);
    const { x, y } = batch(0);
    const xs = tf.tensor4d(x, [BATCH, SIZE, SIZE, 3]);
    const ys = tf.tensor1d(y);
    const before = tf.memory().numTensors;
    const report = await strategy.preflight(() => {
      const { value, grads } = tf.variableGrads(() => loss(vars, xs, ys), Object.values(vars));
      tf.dispose([value, ...Object.values(grads)]);
    });
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([xs, ys, ...Object.values(vars)]);
    assert.deepEqual(report.missingKernels, []);
    for (const kernel of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Sigmoid', 'BatchMatMul']) {
      assert.ok(report.kernels.includes(kernel), `${kernel} not in ${report.kernels}`);
    }
  });

  it('preflight names a kernel that tfjs-backend-webgpu lacks', async () => {
    const x = tf.tensor1d([3, 1, 3, 2]);
    const report = await strategy.preflight(() => tf.unique(x));
    x.dispose();
    assert.deepEqual(report.missingKernels, ['Unique']);
  });
});
