// Kernels that make a tensor from attributes or from another's shape: Fill, Range, OneHot,
// ZerosLike and OnesLike.
import {
  Fill,
  OneHot,
  OnesLike,
  Range,
  ZerosLike,
  type FillAttrs,
  type NamedAttrMap,
  type OneHotAttrs,
  type RangeAttrs,
} from '@tensorflow/tfjs-core';
import { elemOf } from '../hlo/hlo-types.js';
import { attrsOf, type KernelLowering } from './kernel-lowering.js';

/** Fill: shape and value from attributes (the backend records it as a host fill; this lowers a splat). */
const fill: KernelLowering = {
  kernelName: Fill,
  inputs: [],
  infer: (_ins, attrs) => {
    const { shape, dtype } = attrsOf<FillAttrs>(attrs);
    return [{ shape: [...shape], dtype: dtype ?? 'float32' }];
  },
  lower: (b, _ins, attrs, [out]) => [b.splat(Number(attrsOf<FillAttrs>(attrs).value), out.shape, elemOf(out.dtype))],
};

/** Element count and step exactly as tfjs-backend-cpu's rangeImpl computes them. */
function plan(attrs: NamedAttrMap): { n: number; step: number } {
  const range = attrsOf<RangeAttrs>(attrs);
  const { start, stop } = range;
  let step = range.step;
  if (start === stop || (start < stop && step < 0) || (stop < start && step > 1)) return { n: 0, step };
  const n = Math.abs(Math.ceil((stop - start) / step));
  if (stop < start && step === 1) step = -1;
  return { n, step };
}

/** Range: start + step * iota. */
const range: KernelLowering = {
  kernelName: Range,
  inputs: [],
  infer: (_ins, attrs) => [{ shape: [plan(attrs).n], dtype: attrsOf<RangeAttrs>(attrs).dtype ?? 'float32' }],
  lower: (b, _ins, attrs, [out]) => {
    const elem = elemOf(out.dtype);
    const iota = b.op('stablehlo.iota', [], { shape: out.shape, elem }, 'iota_dimension = 0 : i64');
    const scaled = b.ew('multiply', iota, b.splat(plan(attrs).step, out.shape, elem));
    return [b.ew('add', scaled, b.splat(Number(attrsOf<RangeAttrs>(attrs).start), out.shape, elem))];
  },
};

/** OneHot: onValue where iota along the new last axis equals the index, else offValue. */
const oneHot: KernelLowering = {
  kernelName: OneHot,
  inputs: ['indices'],
  infer: ([ix], attrs) => {
    const { depth, dtype } = attrsOf<OneHotAttrs>(attrs);
    return [{ shape: [...ix!.shape, depth], dtype: dtype ?? 'int32' }];
  },
  lower: (b, [ix], attrs, [out]) => {
    const { onValue, offValue } = attrsOf<OneHotAttrs>(attrs);
    const shape = out.shape;
    const last = shape.length - 1;
    const elem = elemOf(out.dtype);
    const iota = b.op('stablehlo.iota', [], { shape, elem: 'i32' }, `iota_dimension = ${last} : i64`);
    const idx = b.broadcastInDim(b.convert(ix!, 'i32'), shape, ix!.type.shape.map((_, i) => i));
    const hit = b.compare(iota, idx, 'EQ');
    return [b.select(hit, b.splat(Number(onValue ?? 1), shape, elem), b.splat(Number(offValue ?? 0), shape, elem))];
  },
};

/**
 * ZerosLike, OnesLike: a splat constant. Of a tensor that is not pending, such as a variable,
 * the backend makes host values instead (see register-kernels.ts), so that optimizer state
 * created in the first step is a program argument as in every later step.
 */
function like(kernelName: string, value: number): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
    lower: (b, [x]) => [b.splat(value, x!.type.shape, x!.type.elem)],
  };
}

/** The `*Like` kernels by tfjs kernel name: the value they fill with. */
const LIKE: Readonly<Record<string, number>> = { [ZerosLike]: 0, [OnesLike]: 1 };

export const CREATION_LOWERINGS: readonly KernelLowering[] = [
  fill,
  range,
  oneHot,
  ...Object.entries(LIKE).map(([kernelName, value]) => like(kernelName, value)),
];
