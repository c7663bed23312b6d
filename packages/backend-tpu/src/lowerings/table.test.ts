// The lowering table covers what training needs (pytorch/xla's rule: a table says what is
// lowered, and nothing may fall back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as core from '@strata/core';
import { LOWERINGS } from './index.js';

// The kernels one Adam step of an EfficientNet-style block calls (DESIGN.md, "Two more facts").
const EFFICIENTNET_STEP = `Abs Add BatchMatMul Cast Conv2DBackpropFilter Conv2DBackpropInput DepthwiseConv2dNative
  DepthwiseConv2dNativeBackpropFilter DepthwiseConv2dNativeBackpropInput Exp Floor FusedBatchNorm FusedConv2D Identity
  Log1p MaxPool MaxPoolGrad Mean Multiply Neg Pow RealDiv Relu Reshape Rsqrt Sigmoid Sqrt Square Step Sub Sum Tile
  ZerosLike _FusedMatMul`.split(/\s+/);
// What SGD, RMSProp and Adam add, and what EfficientNet-B0 itself adds (PadV2, Slice).
const OPTIMIZERS_AND_B0 = ['Maximum', 'Minimum', 'Sqrt', 'PadV2', 'Slice', 'AvgPool', 'AvgPoolGrad', 'Softmax', 'Concat'];

test('every kernel of an EfficientNet-style Adam step, the optimizers and EfficientNet-B0 is lowered', () => {
  const missing = [...EFFICIENTNET_STEP, ...OPTIMIZERS_AND_B0].filter((k) => !LOWERINGS.has(k));
  assert.deepEqual(missing, []);
});

test('every table entry is named after a real tfjs kernel, or a Strata kernel @strata/core names', () => {
  const known = new Set([...Object.values(tf), ...Object.values(core)].filter((v): v is string => typeof v === 'string'));
  for (const [name, lowering] of LOWERINGS) {
    assert.equal(lowering.kernelName, name);
    assert.ok(known.has(name), `${name} is not a tfjs kernel name`);
  }
});
