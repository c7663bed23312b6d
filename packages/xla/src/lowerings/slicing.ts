// Slicing and joining: Slice, SplitV and Unpack cut a tensor, Concat and Pack join tensors.
import {
  Concat,
  Pack,
  Slice,
  SplitV,
  Unpack,
  backend_util,
  slice_util,
  util,
  type ConcatAttrs,
  type PackAttrs,
  type SliceAttrs,
  type SplitVAttrs,
  type UnpackAttrs,
} from '@tensorflow/tfjs-core';
import { i64s } from '../hlo/hlo-builder.js';
import { elemOf } from '../hlo/hlo-types.js';
import { attrsOf, type KernelLowering } from './kernel-lowering.js';

/** Slice by attrs.begin and attrs.size (a -1 size runs to the end), parsed as tfjs does. */
const slice: KernelLowering = {
  kernelName: Slice,
  inputs: ['x'],
  infer: ([x], attrs) => {
    const { begin: b, size: s } = attrsOf<SliceAttrs>(attrs);
    const [begin, size] = slice_util.parseSliceParams(x as never, b, s);
    // tfjs-backend-cpu's bounds check and message.
    slice_util.assertParamsValid(x as never, begin, size);
    return [{ shape: size, dtype: x!.dtype }];
  },
  lower: (b, [x], attrs, [out]) => {
    const a = attrsOf<SliceAttrs>(attrs);
    const [begin, size] = slice_util.parseSliceParams({ shape: x!.type.shape } as never, a.begin, a.size);
    const limit = begin.map((s, i) => s + size[i]);
    return [
      b.op(
        'stablehlo.slice',
        [x!],
        { shape: out.shape, elem: x!.type.elem },
        `limit_indices = ${i64s(limit)}, start_indices = ${i64s(begin)}, strides = ${i64s(begin.map(() => 1))}`,
      ),
    ];
  },
};

function splitSizes(shape: number[], attrs: SplitVAttrs): [number, number[]] {
  const [axis] = util.parseAxisParam(attrs.axis, shape);
  const split = backend_util.prepareSplitSize({ shape } as never, attrs.numOrSizeSplits, axis);
  return [axis, split];
}

/** SplitV (tf.split): one output per piece along attrs.axis. */
const splitV: KernelLowering = {
  kernelName: SplitV,
  inputs: ['x'],
  multiOutput: true,
  infer: ([x], attrs) => {
    const [axis, split] = splitSizes(x!.shape, attrsOf<SplitVAttrs>(attrs));
    return split.map((n) => ({ shape: x!.shape.map((d, i) => (i === axis ? n : d)), dtype: x!.dtype }));
  },
  lower: (b, [x], attrs, outs) => {
    const shape = [...x!.type.shape];
    const [axis] = splitSizes(shape, attrsOf<SplitVAttrs>(attrs));
    let offset = 0;
    return outs.map((out) => {
      const start = shape.map((_, i) => (i === axis ? offset : 0));
      const limit = shape.map((d, i) => (i === axis ? offset + out.shape[axis] : d));
      offset += out.shape[axis];
      return b.op(
        'stablehlo.slice',
        [x!],
        { shape: out.shape, elem: x!.type.elem },
        `limit_indices = ${i64s(limit)}, start_indices = ${i64s(start)}, strides = ${i64s(shape.map(() => 1))}`,
      );
    });
  },
};

/** Unpack (tf.unstack): one output per index along attrs.axis. */
const unpack: KernelLowering = {
  kernelName: Unpack,
  inputs: ['value'],
  multiOutput: true,
  infer: ([x], attrs) => {
    const axis = (attrsOf<UnpackAttrs>(attrs).axis + x!.shape.length) % x!.shape.length;
    const shape = x!.shape.filter((_, i) => i !== axis);
    return Array.from({ length: x!.shape[axis] }, () => ({ shape: [...shape], dtype: x!.dtype }));
  },
  lower: (b, [x], attrs, outs) => {
    const shape = x!.type.shape;
    const axis = (attrsOf<UnpackAttrs>(attrs).axis + shape.length) % shape.length;
    return outs.map((out, k) => {
      const start = shape.map((_, i) => (i === axis ? k : 0));
      const limit = shape.map((d, i) => (i === axis ? k + 1 : d));
      const sliced = b.op(
        'stablehlo.slice',
        [x!],
        { shape: limit.map((l, i) => l - start[i]), elem: x!.type.elem },
        `limit_indices = ${i64s(limit)}, start_indices = ${i64s(start)}, strides = ${i64s(shape.map(() => 1))}`,
      );
      return b.reshape(sliced, out.shape);
    });
  },
};

/** Concat along attrs.axis; empty inputs are dropped, as tfjs does. */
const concat: KernelLowering = {
  kernelName: Concat,
  inputs: null,
  infer: (ins, attrs) => {
    const shapes = ins.map((t) => t!.shape);
    const [axis] = util.parseAxisParam(attrsOf<ConcatAttrs>(attrs).axis, shapes[0]);
    backend_util.assertParamsConsistent(shapes, axis);
    return [{ shape: backend_util.computeOutShape(shapes, axis), dtype: ins[0]!.dtype }];
  },
  lower: (b, ins, attrs, [out]) => {
    const [axis] = util.parseAxisParam(attrsOf<ConcatAttrs>(attrs).axis, [...ins[0]!.type.shape]);
    const parts = ins.filter((v) => v!.type.shape.every((d) => d > 0)).map((v) => v!);
    if (parts.length === 0) return [b.splat(0, out.shape, elemOf(out.dtype))];
    if (parts.length === 1) return [b.reshape(parts[0], out.shape)];
    return [b.op('stablehlo.concatenate', parts, { shape: out.shape, elem: parts[0].type.elem }, `dimension = ${axis} : i64`)];
  },
};

/** The axis a Pack of rank-`rank` inputs inserts (a negative attrs.axis counts from the end). */
function packAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank + 1 : axis;
}

/** Pack (tf.stack): each input gets a new size-1 axis, then they are concatenated along it. */
const pack: KernelLowering = {
  kernelName: Pack,
  inputs: null,
  infer: (ins, attrs) => {
    for (const t of ins) {
      util.assertShapesMatch(ins[0]!.shape, t!.shape, 'All tensors passed to stack must have matching shapes');
      util.assert(ins[0]!.dtype === t!.dtype, () => 'All tensors passed to stack must have matching dtypes');
    }
    const shape = [...ins[0]!.shape];
    shape.splice(packAxis(attrsOf<PackAttrs>(attrs).axis, shape.length), 0, ins.length);
    return [{ shape, dtype: ins[0]!.dtype }];
  },
  lower: (b, ins, attrs, [out]) => {
    const axis = packAxis(attrsOf<PackAttrs>(attrs).axis, ins[0]!.type.shape.length);
    const parts = ins.map((v) => {
      const shape = [...v!.type.shape];
      shape.splice(axis, 0, 1);
      return b.reshape(v!, shape);
    });
    if (parts.length === 1) return [parts[0]];
    return [b.op('stablehlo.concatenate', parts, { shape: out.shape, elem: parts[0].type.elem }, `dimension = ${axis} : i64`)];
  },
};

export const SLICING_LOWERINGS: readonly KernelLowering[] = [slice, splitV, unpack, concat, pack];
