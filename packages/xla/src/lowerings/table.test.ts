// The lowering table covers what training needs (pytorch/xla's rule: a table says what is
// lowered, and nothing may fall back), and every entry is one real kernel's only lowering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { STRATA_BATCH_NORM_TRAINING, STRATA_BATCH_NORM_TRAINING_GRAD, STRATA_RANDOM_UNIFORM, STRATA_RELU_GRAD, STRATA_SIGMOID_GRAD } from '@strata/core';
import { LOWERING_FAMILIES, LOWERINGS } from './index.js';
import type { KernelLowering } from './kernel-lowering.js';
import { loweringTable } from './lowering-table.js';

// The kernels one Adam step of an EfficientNet-style block calls.
const EFFICIENTNET_STEP = `Abs Add BatchMatMul Cast Conv2DBackpropFilter Conv2DBackpropInput DepthwiseConv2dNative
  DepthwiseConv2dNativeBackpropFilter DepthwiseConv2dNativeBackpropInput Exp Floor FusedBatchNorm FusedConv2D Identity
  Log1p MaxPool MaxPoolGrad Mean Multiply Neg Pow RealDiv Relu Reshape Rsqrt Sigmoid Sqrt Square Step Sub Sum Tile
  ZerosLike _FusedMatMul`.split(/\s+/);
// What SGD, RMSProp and Adam add, and what EfficientNet-B0 itself adds (PadV2, Slice).
const OPTIMIZERS_AND_B0 = ['Maximum', 'Minimum', 'Sqrt', 'PadV2', 'Slice', 'AvgPool', 'AvgPoolGrad', 'Softmax', 'Concat'];

/**
 * tfjs's kernel names: the string constants of its kernel_names module, which tfjs-core
 * exports under their own names (`export const Abs = 'Abs'`). Its other string exports
 * (version_core, OP_SCOPE_SUFFIX) are not named after their value.
 */
const TFJS_KERNELS = new Set(Object.entries(tf).flatMap(([name, value]) => (typeof value === 'string' && value === name ? [value] : [])));

/** Kernels Strata itself defines (in @strata/core), which a backend may lower too. */
const STRATA_KERNELS = new Set([STRATA_RELU_GRAD, STRATA_SIGMOID_GRAD, STRATA_BATCH_NORM_TRAINING, STRATA_BATCH_NORM_TRAINING_GRAD, STRATA_RANDOM_UNIFORM]);

const allLowerings = Object.values(LOWERING_FAMILIES).flat();

test('every kernel of an EfficientNet-style Adam step, the optimizers and EfficientNet-B0 is lowered', () => {
  const missing = [...EFFICIENTNET_STEP, ...OPTIMIZERS_AND_B0].filter((k) => !LOWERINGS.has(k));
  assert.deepEqual(missing, []);
});

test("every table entry is named after a tfjs kernel-name constant, or one of Strata's own kernels", () => {
  assert.ok(TFJS_KERNELS.size > 150 && TFJS_KERNELS.has('Conv2D') && !TFJS_KERNELS.has(tf.version_core), `${TFJS_KERNELS.size} kernel names`);
  for (const [name, lowering] of LOWERINGS) {
    assert.equal(lowering.kernelName, name);
    assert.ok(TFJS_KERNELS.has(name) || STRATA_KERNELS.has(name), `${name} is neither a tfjs kernel nor one of Strata's`);
  }
});

test('no kernel has two lowerings, and the table holds every family entry', () => {
  const names = allLowerings.map((l) => l.kernelName);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  assert.deepEqual(twice, []);
  assert.equal(LOWERINGS.size, allLowerings.length);
  for (const l of allLowerings) assert.equal(LOWERINGS.get(l.kernelName), l);
});

test('every table entry has a lowering: its inputs, infer and lower', () => {
  for (const [name, l] of LOWERINGS) {
    assert.ok(l.inputs === null || Array.isArray(l.inputs), `${name}: inputs`);
    assert.equal(typeof l.infer, 'function', `${name}: infer`);
    assert.equal(typeof l.lower, 'function', `${name}: lower`);
  }
});

test('the table refuses a kernel lowered twice, or an entry without its functions', () => {
  const [abs] = allLowerings.filter((l) => l.kernelName === tf.Abs);
  assert.throws(() => loweringTable([abs, { ...abs }]), /kernel Abs has two lowerings/);
  const hollow = { kernelName: tf.Exp, inputs: ['x'] } as unknown as KernelLowering;
  assert.throws(() => loweringTable([hollow]), /lowering of Exp has no infer or lower/);
});
