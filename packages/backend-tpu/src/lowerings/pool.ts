// Shared by the 2-D pooling lowerings (NHWC), shapes and padding from tfjs's computePool2DInfo.
import { backend_util, type NamedAttrMap } from '@tensorflow/tfjs-core';
import type { HloBuilder } from '../hlo/hlo-builder.js';
import type { Value } from '../hlo/hlo-types.js';
import { vjpLhsPadding } from './contraction.js';

export function poolInfo(xShape: readonly number[], attrs: NamedAttrMap): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as never,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
}

export function windowOf(info: backend_util.Conv2DInfo): { window: number[]; strides: number[]; padding: [number, number][] } {
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
export function windowSums(b: HloBuilder, x: Value, info: backend_util.Conv2DInfo): { sum: Value; count: Value } {
  const { window, strides, padding } = windowOf(info);
  const zero = b.constant(0, x.type.elem);
  const sum = b.reduceWindow(x, zero, 'add', window, strides, padding, info.outShape);
  const ones = b.splat(1, x.type.shape, x.type.elem);
  const count = b.reduceWindow(ones, b.constant(0, x.type.elem), 'add', window, strides, padding, info.outShape);
  return { sum, count };
}

/** The transpose of a window sum: spreads each output's gradient over its window. */
export function windowSumTranspose(b: HloBuilder, g: Value, info: backend_util.Conv2DInfo): Value {
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
export function nanAsNegInf(b: HloBuilder, x: Value): Value {
  return b.select(b.compare(x, x, 'NE'), b.splat(-Infinity, x.type.shape, x.type.elem), x);
}
