// Kernels that rearrange elements without computing: reshapes, transposes, tiling, reversal
// and padding.
import {
  ExpandDims,
  PadV2,
  Reshape,
  Reverse,
  Tile,
  Transpose,
  util,
  type ExpandDimsAttrs,
  type PadV2Attrs,
  type ReshapeAttrs,
  type ReverseAttrs,
  type TileAttrs,
  type TransposeAttrs,
} from '@tensorflow/tfjs-core';
import { i64s } from '../hlo/hlo-builder.js';
import { attrsOf, type KernelLowering } from './kernel-lowering.js';

/** Reshape (a -1 in attrs.shape is inferred, as tfjs does). */
const reshape: KernelLowering = {
  kernelName: Reshape,
  inputs: ['x'],
  infer: ([x], attrs) => [
    { shape: util.inferFromImplicitShape(attrsOf<ReshapeAttrs>(attrs).shape, util.sizeFromShape(x!.shape)), dtype: x!.dtype },
  ],
  lower: (b, [x], _attrs, [out]) => [b.reshape(x!, out.shape)],
};

function expanded(shape: readonly number[], dim: number): number[] {
  const rank = shape.length;
  // tfjs-backend-cpu's check and message.
  util.assert(-(rank + 1) <= dim && dim <= rank, () => `Axis must be in the interval [${-(rank + 1)}, ${rank}]`);
  const axis = dim < 0 ? dim + shape.length + 1 : dim;
  const out = [...shape];
  out.splice(axis, 0, 1);
  return out;
}

/** ExpandDims: a size-1 axis at attrs.dim (a reshape). */
const expandDims: KernelLowering = {
  kernelName: ExpandDims,
  inputs: ['input'],
  infer: ([x], attrs) => [{ shape: expanded(x!.shape, attrsOf<ExpandDimsAttrs>(attrs).dim), dtype: x!.dtype }],
  lower: (b, [x], _attrs, [out]) => [b.reshape(x!, out.shape)],
};

/** Transpose by attrs.perm. */
const transpose: KernelLowering = {
  kernelName: Transpose,
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: attrsOf<TransposeAttrs>(attrs).perm.map((p) => x!.shape[p]), dtype: x!.dtype }],
  lower: (b, [x], attrs) => [b.transpose(x!, attrsOf<TransposeAttrs>(attrs).perm)],
};

/**
 * Tile: broadcast to [r0, d0, r1, d1, ...] and reshape to [r0*d0, r1*d1, ...]: row-major
 * order makes index k*d + j read x[j], which is what tiling means.
 */
const tile: KernelLowering = {
  kernelName: Tile,
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: x!.shape.map((d, i) => d * attrsOf<TileAttrs>(attrs).reps[i]), dtype: x!.dtype }],
  lower: (b, [x], attrs, [out]) => {
    const { reps } = attrsOf<TileAttrs>(attrs);
    const shape = x!.type.shape;
    const wide = shape.flatMap((d, i) => [reps[i], d]);
    const spread = b.broadcastInDim(x!, wide, shape.map((_, i) => 2 * i + 1));
    return [b.reshape(spread, out.shape)];
  },
};

/** Reverse along attrs.dims. */
const reverse: KernelLowering = {
  kernelName: Reverse,
  inputs: ['x'],
  infer: ([x], attrs) => {
    // Checks the axes as tfjs-backend-cpu does (invalid or non-integer axes throw).
    util.parseAxisParam(attrsOf<ReverseAttrs>(attrs).dims, x!.shape);
    return [{ shape: [...x!.shape], dtype: x!.dtype }];
  },
  lower: (b, [x], attrs) => {
    const dims = util.parseAxisParam(attrsOf<ReverseAttrs>(attrs).dims, [...x!.type.shape]);
    if (dims.length === 0) return [x!];
    return [b.op('stablehlo.reverse', [x!], x!.type, `dimensions = ${i64s([...dims].sort((p, q) => p - q))}`)];
  },
};

/** PadV2 (tf.pad): attrs.paddings [[before, after], ...] filled with attrs.constantValue. */
const padV2: KernelLowering = {
  kernelName: PadV2,
  inputs: ['x'],
  infer: ([x], attrs) => {
    const p = attrsOf<PadV2Attrs>(attrs).paddings;
    return [{ shape: x!.shape.map((d, i) => p[i][0] + d + p[i][1]), dtype: x!.dtype }];
  },
  lower: (b, [x], attrs, [out]) => {
    const { paddings: p, constantValue } = attrsOf<PadV2Attrs>(attrs);
    const value = b.constant(Number(constantValue ?? 0), x!.type.elem);
    const props = `edge_padding_high = ${i64s(p.map((q) => q[1]))}, edge_padding_low = ${i64s(p.map((q) => q[0]))}, interior_padding = ${i64s(p.map(() => 0))}`;
    return [b.op('stablehlo.pad', [x!, value], { shape: out.shape, elem: x!.type.elem }, props)];
  },
};

export const SHAPE_LOWERINGS: readonly KernelLowering[] = [reshape, expandDims, transpose, tile, reverse, padV2];
