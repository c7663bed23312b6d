// The 2-D pooling kernels (NHWC) and their gradients, shapes and padding from tfjs's
// computePool2DInfo.
import {
  AvgPool,
  AvgPoolGrad,
  MaxPool,
  MaxPoolGrad,
  backend_util,
  type MaxPoolAttrs,
  type NamedAttrMap,
} from '@tensorflow/tfjs-core';
import { i64s, pads, type HloBuilder } from '../hlo/hlo-builder.js';
import { typeText, type Value } from '../hlo/hlo-types.js';
import { vjpLhsPadding } from './contraction.js';
import { attrsOf, type KernelLowering } from './kernel-lowering.js';

type Shape4 = [number, number, number, number];

/** What the pooling kernels' attributes hold (MaxPoolAttrs, AvgPoolGradAttrs, ...; AvgPoolGrad has no dimRoundingMode). */
type PoolAttrs = Pick<MaxPoolAttrs, 'filterSize' | 'strides' | 'pad'> & Partial<Pick<MaxPoolAttrs, 'dimRoundingMode'>>;

function poolInfo(xShape: readonly number[], recorded: NamedAttrMap): backend_util.Conv2DInfo {
  const attrs = attrsOf<PoolAttrs>(recorded);
  return backend_util.computePool2DInfo(xShape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

function windowOf(info: backend_util.Conv2DInfo): { window: number[]; strides: number[]; padding: [number, number][] } {
  return {
    window: [1, info.filterHeight, info.filterWidth, 1],
    strides: [1, info.strideHeight, info.strideWidth, 1],
    padding: [
      [0, 0],
      [info.padInfo.top, info.padInfo.bottom],
      [info.padInfo.left, info.padInfo.right],
      [0, 0],
    ],
  };
}

/** Window sums of x, and the number of in-bounds elements of each window (tfjs divides by it). */
function windowSums(b: HloBuilder, x: Value, info: backend_util.Conv2DInfo): { sum: Value; count: Value } {
  const { window, strides, padding } = windowOf(info);
  const zero = b.constant(0, x.type.elem);
  const sum = b.reduceWindow(x, zero, 'add', window, strides, padding, info.outShape);
  const ones = b.splat(1, x.type.shape, x.type.elem);
  const count = b.reduceWindow(ones, b.constant(0, x.type.elem), 'add', window, strides, padding, info.outShape);
  return { sum, count };
}

/** The transpose of a window sum: spreads each output's gradient over its window. */
function windowSumTranspose(b: HloBuilder, g: Value, info: backend_util.Conv2DInfo): Value {
  const { window, strides, padding } = windowOf(info);
  const pads = vjpLhsPadding(info.inShape, window, strides, info.outShape, padding, [1, 1, 1, 1]);
  const elem = g.type.elem;
  const padded = b.op(
    'stablehlo.pad',
    [g, b.constant(0, elem)],
    {
      shape: g.type.shape.map((d, i) => pads[i][0] + pads[i][1] + d + (d - 1) * (strides[i] - 1)),
      elem,
    },
    `edge_padding_high = array<i64: ${pads.map((p) => p[1]).join(', ')}>, edge_padding_low = array<i64: ${pads.map((p) => p[0]).join(', ')}>, interior_padding = array<i64: ${strides.map((s) => s - 1).join(', ')}>`,
  );
  const ones = window.map(() => 1);
  return b.reduceWindow(padded, b.constant(0, elem), 'add', window, ones, ones.map(() => [0, 0] as [number, number]), info.inShape);
}

/**
 * x with NaN replaced by -inf: tfjs's max pooling skips NaNs (its comparison loop never picks
 * one). MaxPool and MaxPoolGrad both read this same expression of the same input, so XLA
 * computes it once and keeps one copy of the activation, not the activation and a cleaned one.
 */
function nanAsNegInf(b: HloBuilder, x: Value): Value {
  return b.select(b.compare(x, x, 'NE'), b.splat(-Infinity, x.type.shape, x.type.elem), x);
}

/** MaxPool: reduce_window max, padding from tfjs's pool info (padded cells never win). */
const maxPool: KernelLowering = {
  kernelName: MaxPool,
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: poolInfo(x!.shape, attrs).outShape, dtype: x!.dtype }],
  lower: (b, [x], attrs) => {
    const info = poolInfo(x!.type.shape, attrs);
    const { window, strides, padding } = windowOf(info);
    // NaNs never win, as in tfjs's comparison loop.
    return [b.reduceWindow(nanAsNegInf(b, x!), b.constant(-Infinity, x!.type.elem), 'maximum', window, strides, padding, info.outShape)];
  },
};

/** MaxPoolGrad: select_and_scatter routes each dy to its window's maximum (as jax's max-pool vjp). */
const maxPoolGrad: KernelLowering = {
  kernelName: MaxPoolGrad,
  inputs: ['dy', 'input', 'output'],
  infer: ([, x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
  lower: (b, [dy, x], attrs) => {
    const info = poolInfo(x!.type.shape, attrs);
    const { window, strides, padding } = windowOf(info);
    const elem = x!.type.elem;
    const s = typeText({ shape: [], elem });
    const [p, q, c] = [b.fresh(), b.fresh(), b.fresh()];
    const select = [
      '{',
      `    ^bb0(${p}: ${s}, ${q}: ${s}):`,
      `      ${c} = "stablehlo.compare"(${p}, ${q}) <{compare_type = #stablehlo<comparison_type FLOAT>, comparison_direction = #stablehlo<comparison_direction GE>}> : (${s}, ${s}) -> tensor<i1>`,
      `      "stablehlo.return"(${c}) : (tensor<i1>) -> ()`,
      '    }',
    ].join('\n');
    const scatter = b.combinerRegion('add', elem);
    const init = b.constant(0, elem);
    const props = `padding = ${pads(padding)}, window_dimensions = ${i64s(window)}, window_strides = ${i64s(strides)}`;
    // The window's maximum as MaxPool found it (NaNs skipped), from the same cleaned input.
    return [b.op('stablehlo.select_and_scatter', [nanAsNegInf(b, x!), dy!, init], x!.type, props, `${select}, ${scatter}`)];
  },
};

/** AvgPool: window sums over the count of in-bounds cells (padding not counted, as tfjs). */
const avgPool: KernelLowering = {
  kernelName: AvgPool,
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: poolInfo(x!.shape, attrs).outShape, dtype: x!.dtype }],
  lower: (b, [x], attrs) => {
    const { sum, count } = windowSums(b, x!, poolInfo(x!.type.shape, attrs));
    return [b.ew('divide', sum, count)];
  },
};

/**
 * AvgPoolGrad: dy spread back over each window, divided by the window's area. tfjs divides by
 * the area even where the forward pass divided by fewer in-bounds cells ('same' padding); the
 * lowering matches tfjs, not the exact derivative.
 */
const avgPoolGrad: KernelLowering = {
  kernelName: AvgPoolGrad,
  inputs: ['dy', 'input'],
  infer: ([, x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
  lower: (b, [dy, x], attrs) => {
    const info = poolInfo(x!.type.shape, attrs);
    const area = b.splat(info.filterHeight * info.filterWidth, dy!.type.shape, dy!.type.elem);
    return [windowSumTranspose(b, b.ew('divide', dy!, area), info)];
  },
};

export const POOL_LOWERINGS: readonly KernelLowering[] = [maxPool, maxPoolGrad, avgPool, avgPoolGrad];
