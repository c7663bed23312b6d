// Element-wise unary kernels: the one-op ones in a table, the others each a short emitter.
import {
  Abs,
  Cast,
  Ceil,
  Cos,
  Exp,
  Expm1,
  Floor,
  Identity,
  Log,
  Log1p,
  Neg,
  Reciprocal,
  Round,
  Rsqrt,
  Sigmoid,
  Sign,
  Sin,
  Sqrt,
  Square,
  Tanh,
  type CastAttrs,
} from '@tensorflow/tfjs-core';
import { elemOf } from '../hlo/hlo-types.js';
import { unary, unaryOp } from './elementwise.js';
import { attrsOf, type KernelLowering } from './kernel-lowering.js';

/** Kernels that are one StableHLO op on their input, by tfjs kernel name. */
const UNARY_OPS: Readonly<Record<string, string>> = {
  [Abs]: 'abs',
  [Ceil]: 'ceil',
  [Cos]: 'cosine',
  [Expm1]: 'exponential_minus_one',
  [Floor]: 'floor',
  [Log]: 'log',
  [Log1p]: 'log_plus_one',
  [Neg]: 'negate',
  [Rsqrt]: 'rsqrt',
  [Sigmoid]: 'logistic',
  [Sin]: 'sine',
  [Sqrt]: 'sqrt',
  [Tanh]: 'tanh',
};

/** Cast: float to int truncates, anything to bool is "not zero", bool to number is 0 or 1. */
const cast: KernelLowering = {
  kernelName: Cast,
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: [...x!.shape], dtype: attrsOf<CastAttrs>(attrs).dtype }],
  lower: (b, [x], attrs) => [b.convert(x!, elemOf(attrsOf<CastAttrs>(attrs).dtype))],
};

export const UNARY_LOWERINGS: readonly KernelLowering[] = [
  ...Object.entries(UNARY_OPS).map(([kernelName, op]) => unaryOp(kernelName, op)),
  // e^x; float32 even for int32 input, as tfjs.
  unary(Exp, (b, x) => b.ew('exponential', b.convert(x, 'f32')), 'float32'),
  // Half to even, as tfjs; integers are already round.
  unary(Round, (b, x) => (x.type.elem === 'f32' ? b.ew('round_nearest_even', x) : x)),
  unary(Reciprocal, (b, x) => b.ew('divide', b.splat(1, x.type.shape, x.type.elem), x)),
  unary(Square, (b, x) => b.ew('multiply', x, x)),
  // -1, 0 or 1; NaN gives 0, as tfjs.
  unary(Sign, (b, x) => {
    const { shape, elem } = x.type;
    if (elem !== 'f32') return b.ew('sign', x);
    return b.select(b.compare(x, x, 'NE'), b.splat(0, shape, elem), b.ew('sign', x));
  }),
  // The input itself (a fresh tensor in tfjs, one SSA value here).
  unary(Identity, (_b, x) => x),
  cast,
];
