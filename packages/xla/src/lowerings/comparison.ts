// Comparison, logical and selection kernels: bool results (Select takes a bool condition).
import {
  Equal,
  Greater,
  GreaterEqual,
  IsFinite,
  IsNan,
  Less,
  LessEqual,
  LogicalAnd,
  LogicalNot,
  LogicalOr,
  NotEqual,
  Select,
} from '@tensorflow/tfjs-core';
import type { CompareDir } from '../hlo/hlo-builder.js';
import { isFloat } from '../hlo/hlo-types.js';
import { binaryOp, comparison, unary, unaryOp } from './elementwise.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Element-wise comparisons with broadcasting, by tfjs kernel name: the comparison direction. */
const COMPARISONS: Readonly<Record<string, CompareDir>> = {
  [Equal]: 'EQ',
  [Greater]: 'GT',
  [GreaterEqual]: 'GE',
  [Less]: 'LT',
  [LessEqual]: 'LE',
  [NotEqual]: 'NE',
};

/** Logical kernels on bool tensors that are one StableHLO op, by tfjs kernel name. */
const LOGICAL_BINARY_OPS: Readonly<Record<string, string>> = {
  [LogicalAnd]: 'and',
  [LogicalOr]: 'or',
};

/** Select (tf.where): t where condition, else e; a rank-1 condition picks rows, as in tfjs. */
const select: KernelLowering = {
  kernelName: Select,
  inputs: ['condition', 't', 'e'],
  infer: ([, t]) => [{ shape: [...t!.shape], dtype: t!.dtype }],
  lower: (b, [c, t, e]) => {
    const shape = t!.type.shape;
    const cond = c!.type.shape.length === shape.length ? c! : b.broadcastInDim(c!, shape, c!.type.shape.length === 0 ? [] : [0]);
    return [b.select(cond, t!, e!)];
  },
};

export const COMPARISON_LOWERINGS: readonly KernelLowering[] = [
  ...Object.entries(COMPARISONS).map(([kernelName, dir]) => comparison(kernelName, dir)),
  ...Object.entries(LOGICAL_BINARY_OPS).map(([kernelName, op]) => binaryOp(kernelName, op)),
  unaryOp(LogicalNot, 'not'),
  // x != x.
  unary(IsNan, (b, x) => b.compare(x, x, 'NE'), 'bool'),
  // Neither NaN nor infinite; integers always are (the fp16 step's overflow check uses it).
  unary(IsFinite, (b, x) => (isFloat(x.type.elem) ? b.op('stablehlo.is_finite', [x], { shape: x.type.shape, elem: 'i1' }) : b.splat(1, x.type.shape, 'i1')), 'bool'),
  select,
];
