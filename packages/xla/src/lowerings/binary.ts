// Element-wise binary kernels with numpy broadcasting: the one-op ones in a table, the others
// each a short emitter.
import { Add, AddN, Atan2, FloorDiv, Maximum, Minimum, Mod, Multiply, Pow, RealDiv, SquaredDifference, Sub } from '@tensorflow/tfjs-core';
import { binary, binaryOp } from './elementwise.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Kernels that are one StableHLO op on their broadcast operands, by tfjs kernel name. */
const BINARY_OPS: Readonly<Record<string, string>> = {
  [Add]: 'add',
  [Atan2]: 'atan2',
  [Maximum]: 'maximum',
  [Minimum]: 'minimum',
  [Multiply]: 'multiply',
  [Pow]: 'power',
  [RealDiv]: 'divide',
  [Sub]: 'subtract',
};

/** AddN: the sum of its inputs (all of one shape). */
const addN: KernelLowering = {
  kernelName: AddN,
  inputs: null,
  infer: (ins) => [{ shape: [...ins[0]!.shape], dtype: ins[0]!.dtype }],
  lower: (b, ins) => [ins.slice(1).reduce((acc, v) => b.ew('add', acc!, v!), ins[0])!],
};

export const BINARY_LOWERINGS: readonly KernelLowering[] = [
  ...Object.entries(BINARY_OPS).map(([kernelName, op]) => binaryOp(kernelName, op)),
  // floor(a / b), int32 like tfjs-backend-cpu's Math.floor(a / b) kernel.
  binary(
    FloorDiv,
    (b, x, y) => {
      const q = b.ew('floor', b.ew('divide', b.convert(x, 'f32'), b.convert(y, 'f32')));
      return b.convert(q, 'i32');
    },
    'int32',
  ),
  // Remainder with the sign of the divisor, as tfjs computes it.
  binary(Mod, (b, x, y) => {
    const { shape, elem } = x.type;
    const zero = b.splat(0, shape, elem);
    const rem = b.ew('remainder', x, y);
    const fixed = b.ew('remainder', b.ew('add', rem, y), y);
    const sameSign = b.compare(b.compare(x, zero, 'LT'), b.compare(y, zero, 'LT'), 'EQ');
    return b.select(sameSign, rem, fixed);
  }),
  // (a - b)^2.
  binary(SquaredDifference, (b, x, y) => {
    const d = b.ew('subtract', x, y);
    return b.ew('multiply', d, d);
  }),
  addN,
];
