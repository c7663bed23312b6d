// Every lowering, checked against tfjs-backend-cpu: the same tfjs code is recorded on the
// xla backend, lowered to StableHLO, compiled and run by jax (XLA:CPU), and compared.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { STRATA_RANDOM_UNIFORM } from '@strata/core';
import { JaxRunner, jaxSkipReason } from '../testing/jax-runner.js';
import { checkOnBoth, maxError, recordingBackend, seeded } from '../testing/lowering-check.js';
import type { HostTensor } from '../testing/jax-runner.js';
import { LOWERINGS } from './index.js';

type Fn = (xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
interface Case {
  readonly name: string;
  readonly inputs: HostTensor[];
  readonly fn: Fn;
  readonly tol?: number;
}

const f = (shape: number[], seed = 1) => seeded(shape, 'float32', seed);
const pos = (shape: number[], seed = 1): HostTensor => {
  const t = seeded(shape, 'float32', seed);
  return { ...t, values: (t.values as Float32Array).map((v) => Math.abs(v) + 0.1) };
};
const i = (shape: number[], seed = 1) => seeded(shape, 'int32', seed);
const bool = (shape: number[], seed = 1) => seeded(shape, 'bool', seed);

/** Gradients of sum(g(x) * w) with respect to every input, where w is a fixed weight. */
const gradsOf = (g: (xs: tf.Tensor[]) => tf.Tensor): Fn => (xs) => {
  const fn = (...ys: tf.Tensor[]) => {
    const y = g(ys);
    const w = tf.sin(tf.range(0, y.size).reshape(y.shape));
    return tf.sum(tf.mul(y, w));
  };
  return tf.grads(fn)(xs);
};

const unaryCases: [string, (x: tf.Tensor) => tf.Tensor, 'any' | 'pos'][] = [
  ['Neg', tf.neg, 'any'], ['Abs', tf.abs, 'any'], ['Exp', tf.exp, 'any'], ['Log', tf.log, 'pos'],
  ['Log1p', tf.log1p, 'pos'], ['Expm1', tf.expm1, 'any'], ['Sqrt', tf.sqrt, 'pos'], ['Rsqrt', tf.rsqrt, 'pos'],
  ['Sigmoid', tf.sigmoid, 'any'], ['Tanh', tf.tanh, 'any'], ['Floor', (x) => tf.floor(tf.mul(x, 3)), 'any'],
  ['Ceil', (x) => tf.ceil(tf.mul(x, 3)), 'any'], ['Sign', tf.sign, 'any'], ['Sin', tf.sin, 'any'], ['Cos', tf.cos, 'any'],
  ['Round', (x) => tf.round(tf.mul(x, 3)), 'any'], ['Square', tf.square, 'any'], ['Relu', tf.relu, 'any'],
  ['Relu6', (x) => tf.relu6(tf.mul(x, 8)), 'any'], ['Step', (x) => tf.step(x, 0.3), 'any'], ['Reciprocal', tf.reciprocal, 'pos'],
  ['Elu', tf.elu, 'any'], ['Selu', tf.selu, 'any'], ['LeakyRelu', (x) => tf.leakyRelu(x, 0.1), 'any'],
  ['Softplus', (x) => tf.softplus(tf.mul(x, 30)), 'any'], ['ClipByValue', (x) => tf.clipByValue(x, -0.3, 0.4), 'any'],
  ['Identity', (x) => tf.clone(x), 'any'], ['ZerosLike', (x) => tf.zerosLike(tf.exp(x)), 'any'],
  ['OnesLike', (x) => tf.onesLike(tf.exp(x)), 'any'], ['IsNan', (x) => tf.isNaN(tf.log(x)), 'any'],
  ['IsFinite', (x) => tf.isFinite(tf.div(tf.log(x), tf.add(x, 0.25))), 'any'],
  ['Softmax', (x) => tf.softmax(x), 'any'], ['Cast', (x) => tf.cast(tf.mul(x, 4), 'int32'), 'any'],
];

const cases: Case[] = [
  ...unaryCases.map(([name, fn, domain]): Case => ({ name, inputs: [domain === 'pos' ? pos([3, 4]) : f([3, 4])], fn: ([x]) => fn(x) })),
  { name: 'Add broadcast', inputs: [f([2, 3, 4]), f([4], 2)], fn: ([a, b]) => tf.add(a, b) },
  { name: 'Sub', inputs: [f([2, 3]), f([2, 1], 2)], fn: ([a, b]) => tf.sub(a, b) },
  { name: 'Multiply int', inputs: [i([2, 3]), i([3], 2)], fn: ([a, b]) => tf.mul(a, b) },
  { name: 'RealDiv', inputs: [f([2, 3]), pos([2, 3], 2)], fn: ([a, b]) => tf.div(a, b) },
  { name: 'Maximum/Minimum', inputs: [f([2, 3]), f([2, 3], 2)], fn: ([a, b]) => [tf.maximum(a, b), tf.minimum(a, b)] },
  { name: 'Pow', inputs: [pos([2, 3]), f([2, 3], 2)], fn: ([a, b]) => tf.pow(a, b) },
  { name: 'SquaredDifference', inputs: [f([2, 3]), f([3], 2)], fn: ([a, b]) => tf.squaredDifference(a, b) },
  { name: 'Atan2', inputs: [f([2, 3]), f([2, 3], 2)], fn: ([a, b]) => tf.atan2(a, b) },
  { name: 'FloorDiv', inputs: [f([2, 3]), pos([2, 3], 2)], fn: ([a, b]) => tf.floorDiv(tf.mul(a, 5), b) },
  { name: 'Mod', inputs: [f([2, 5]), f([2, 5], 2)], fn: ([a, b]) => tf.mod(tf.mul(a, 5), b) },
  {
    name: 'comparisons',
    inputs: [i([3, 4]), i([4], 2)],
    fn: ([a, b]) => [tf.greater(a, b), tf.greaterEqual(a, b), tf.less(a, b), tf.lessEqual(a, b), tf.equal(a, b), tf.notEqual(a, b)],
  },
  { name: 'logical', inputs: [bool([3, 4]), bool([3, 4], 2)], fn: ([a, b]) => [tf.logicalAnd(a, b), tf.logicalOr(a, b), tf.logicalNot(a)] },
  { name: 'Cast bool', inputs: [f([3, 4])], fn: ([x]) => [tf.cast(tf.greater(x, 0), 'float32'), tf.cast(x, 'bool')] },
  { name: 'Select', inputs: [bool([3, 4]), f([3, 4]), f([3, 4], 2)], fn: ([c, a, b]) => tf.where(c, a, b) },
  { name: 'Prelu', inputs: [f([2, 3, 4]), f([4], 2)], fn: ([x, a]) => tf.prelu(x, a) },
  { name: 'AddN', inputs: [f([2, 3]), f([2, 3], 2), f([2, 3], 3)], fn: (xs) => tf.addN(xs) },
  { name: 'Sum/Mean/Max/Min/Prod', inputs: [f([2, 3, 4])], fn: ([x]) => [tf.sum(x, 1), tf.mean(x, [0, 2], true), tf.max(x, -1), tf.min(x), tf.prod(x, 0)] },
  { name: 'Sum int and bool', inputs: [i([3, 4]), bool([3, 4])], fn: ([x, b]) => [tf.sum(x, 0), tf.sum(b)] },
  { name: 'All/Any', inputs: [bool([3, 4])], fn: ([x]) => [tf.all(x, 1), tf.any(x, 0)] },
  { name: 'ArgMax/ArgMin', inputs: [f([3, 5])], fn: ([x]) => [tf.argMax(x, 1), tf.argMin(x, 0)] },
  { name: 'Reshape/Transpose', inputs: [f([2, 3, 4])], fn: ([x]) => [tf.reshape(x, [4, -1]), tf.transpose(x, [2, 0, 1])] },
  { name: 'ExpandDims', inputs: [f([2, 3])], fn: ([x]) => [tf.expandDims(x, 1), tf.expandDims(x, -1)] },
  {
    name: 'Cumsum/Cumprod',
    inputs: [f([3, 4])],
    fn: ([x]) => [tf.cumsum(x, 1), tf.cumsum(x, 1, true, true), tf.cumsum(x, 0, false, true), tf.cumprod(x, 0), tf.cumprod(x, 1, true)],
  },
  { name: 'Prod grads', inputs: [f([3, 4])], fn: gradsOf(([x]) => tf.prod(x, 1)) },
  { name: 'ArgMax ignores NaN', inputs: [f([2, 4])], fn: ([x]) => tf.argMax(tf.div(x, tf.tensor([1, 0, 1, 1])), 1) },
  { name: 'Tile', inputs: [f([2, 3])], fn: ([x]) => tf.tile(x, [2, 3]) },
  { name: 'Concat', inputs: [f([2, 3]), f([2, 2], 2)], fn: ([a, b]) => tf.concat([a, b], 1) },
  { name: 'Pack/Unpack', inputs: [f([2, 3]), f([2, 3], 2)], fn: ([a, b]) => [tf.stack([a, b], 1), ...tf.unstack(a, 1)] },
  { name: 'Slice', inputs: [f([4, 5])], fn: ([x]) => tf.slice(x, [1, 2], [2, -1]) },
  { name: 'SplitV', inputs: [f([4, 6])], fn: ([x]) => tf.split(x, [1, 2, 3], 1) },
  { name: 'Reverse', inputs: [f([3, 4])], fn: ([x]) => tf.reverse(x, [0, 1]) },
  { name: 'PadV2', inputs: [f([2, 3])], fn: ([x]) => tf.pad(x, [[1, 0], [2, 1]], 0.5) },
  { name: 'OneHot', inputs: [i([5])], fn: ([x]) => tf.oneHot(tf.abs(x), 6) },
  { name: 'Fill', inputs: [f([2])], fn: ([x]) => tf.add(tf.fill([3, 2], 1.5), x) },
  { name: 'BatchMatMul', inputs: [f([2, 3, 4]), f([2, 5, 4], 2)], fn: ([a, b]) => tf.matMul(a, b, false, true) },
  { name: 'MatMul 2d transposeA', inputs: [f([4, 3]), f([4, 5], 2)], fn: ([a, b]) => tf.matMul(a, b, true, false) },
  {
    name: '_FusedMatMul relu',
    inputs: [f([3, 4]), f([4, 5], 2), f([5], 3)],
    fn: ([a, b, c]) => tf.fused.matMul({ a, b, bias: c, activation: 'relu' }),
  },
  { name: 'Conv2D same stride 2', inputs: [f([2, 7, 7, 3]), f([3, 3, 3, 4], 2)], fn: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same') },
  { name: 'Conv2D valid dilated', inputs: [f([1, 8, 8, 2]), f([3, 3, 2, 3], 2)], fn: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid', 'NHWC', 2) },
  {
    name: 'FusedConv2D + grads',
    inputs: [f([2, 6, 6, 3]), f([3, 3, 3, 4], 2), f([4], 3)],
    fn: gradsOf(([x, w, c]) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: c, activation: 'relu' })),
  },
  {
    name: 'FusedConv2D forward',
    inputs: [f([2, 6, 6, 3]), f([3, 3, 3, 4], 2), f([4], 3)],
    fn: ([x, w, c]) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation: 'sigmoid' }),
  },
  { name: 'Conv2D grads valid', inputs: [f([2, 7, 7, 3]), f([3, 3, 3, 2], 2)], fn: gradsOf(([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid')) },
  {
    name: 'Depthwise + grads',
    inputs: [f([2, 7, 7, 3]), f([3, 3, 3, 2], 2)],
    fn: gradsOf(([x, w]) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')),
  },
  {
    name: 'FusedDepthwiseConv2D',
    inputs: [f([1, 6, 6, 2]), f([3, 3, 2, 1], 2), f([2], 3)],
    fn: ([x, w, c]) => tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation: 'relu6' }),
  },
  { name: 'MaxPool + grad', inputs: [f([2, 7, 7, 3])], fn: gradsOf(([x]) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')) },
  { name: 'MaxPool valid', inputs: [f([2, 6, 6, 3])], fn: ([x]) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'AvgPool + grad', inputs: [f([2, 7, 7, 3])], fn: gradsOf(([x]) => tf.avgPool(x as tf.Tensor4D, 3, 2, 'same')) },
  {
    name: 'FusedBatchNorm + grads',
    inputs: [f([2, 3, 3, 4]), f([4], 2), pos([4], 3), f([4], 4), f([4], 5)],
    fn: gradsOf(([x, m, v, o, s]) => tf.batchNorm(x, m, v, o, s, 0.001)),
  },
  { name: 'EluGrad', inputs: [f([3, 4])], fn: gradsOf(([x]) => tf.elu(x)) },
  {
    name: 'sigmoid cross-entropy + grads',
    inputs: [f([4, 1]), bool([4, 1], 2)],
    fn: ([x, y]) => tf.grad((z: tf.Tensor) => tf.losses.sigmoidCrossEntropy(tf.cast(y, 'float32'), z))(x),
  },
];

const skip = jaxSkipReason();

describe('lowerings agree with tfjs-backend-cpu (run through jax)', { skip }, () => {
  let runner: JaxRunner;
  const exercised = new Set<string>();
  before(() => {
    runner = new JaxRunner();
  });
  after(() => runner.close());

  for (const c of cases) {
    test(c.name, async () => {
      // Only the xla backend records, so the log holds the kernels of the lowered run.
      const stop = recordingBackend().logKernels();
      try {
        const { expected, actual } = await checkOnBoth(runner, c.inputs, c.fn);
        stop().forEach((k) => exercised.add(k));
        assert.equal(actual.length, expected.length);
        expected.forEach((e, k) => {
          assert.deepEqual([...actual[k].shape], [...e.shape], `output ${k} shape`);
          assert.equal(actual[k].dtype, e.dtype, `output ${k} dtype`);
          const err = maxError(actual[k], e);
          assert.ok(err <= (c.tol ?? 1e-5), `output ${k}: max relative error ${err}\nexpected ${Array.from(e.values as Float32Array).slice(0, 8)}\nactual   ${Array.from(actual[k].values as Float32Array).slice(0, 8)}`);
        });
      } finally {
        stop();
      }
    });
  }

  test('every lowering in the table was exercised by a case above', () => {
    // ZerosLike/OnesLike/Fill of a leaf are host fills, exercised without a node. Random
    // numbers differ from tfjs-backend-cpu's generator by design: random.test.ts checks them.
    const missing = [...LOWERINGS.keys()].filter((k) => !exercised.has(k) && k !== STRATA_RANDOM_UNIFORM);
    assert.deepEqual(missing, []);
  });

  test('bf16-mixed lowers convolutions and matmuls with bf16 operands and f32 results', async () => {
    const { expected, actual, text } = await checkOnBoth(
      runner,
      [f([2, 6, 6, 3]), f([3, 3, 3, 4], 2)],
      ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
      'bf16-mixed',
    );
    assert.match(text, /"stablehlo.convolution"\([^)]*\)[^\n]*: \(tensor<2x6x6x3xbf16>, tensor<3x3x3x4xbf16>\) -> tensor<2x6x6x4xf32>/);
    const err = maxError(actual[0], expected[0]);
    assert.ok(err > 0 && err < 3e-2, `bf16 error ${err} should be small but not zero`);
  });

  test('16-mixed uses f16 operands', async () => {
    const { text } = await checkOnBoth(runner, [f([3, 4]), f([4, 5], 2)], ([a, b]) => tf.matMul(a, b), '16-mixed');
    assert.match(text, /"stablehlo.dot_general"[^\n]*\(tensor<3x4xf16>, tensor<4x5xf16>\) -> tensor<3x5xf32>/);
  });
});
