// The shapes of element-wise lowerings (unary, broadcasting binary, comparison): the family
// tables in unary.ts, binary.ts, comparison.ts and activations.ts build their entries with them.
import { backend_util, type DataType, type NamedAttrMap } from '@tensorflow/tfjs-core';
import type { HloBuilder } from '../hlo/hlo-builder.js';
import { elemOf, type Value } from '../hlo/hlo-types.js';
import type { KernelLowering, TensorMeta } from './kernel-lowering.js';

/** A unary kernel whose output has its input's shape and dtype. */
export function unary(
  kernelName: string,
  emit: (b: HloBuilder, x: Value, attrs: NamedAttrMap) => Value,
  outDtype?: DataType,
): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x]) => [{ shape: [...x!.shape], dtype: outDtype ?? x!.dtype }],
    lower: (b, [x], attrs) => [emit(b, x!, attrs)],
  };
}

/** A unary kernel that is one StableHLO op. */
export function unaryOp(kernelName: string, op: string): KernelLowering {
  return unary(kernelName, (b, x) => b.ew(op, x));
}

/** A binary kernel with numpy broadcasting; `emit` gets both operands at the output shape. */
export function binary(
  kernelName: string,
  emit: (b: HloBuilder, a: Value, c: Value, attrs: NamedAttrMap) => Value,
  outDtype?: DataType,
): KernelLowering {
  return {
    kernelName,
    inputs: ['a', 'b'],
    infer: ([a, c]) => [
      { shape: backend_util.assertAndGetBroadcastShape(a!.shape, c!.shape), dtype: outDtype ?? a!.dtype },
    ],
    lower: (b, [a, c], attrs, [out]: readonly TensorMeta[]) => {
      // tfjs ops make both dtypes match before the kernel; a bool pair stays bool.
      const elem = a!.type.elem;
      const x = b.broadcastTo(a!, out.shape);
      const y = b.broadcastTo(c!.type.elem === elem ? c! : b.convert(c!, elem), out.shape);
      return [emit(b, x, y, attrs)];
    },
  };
}

export function binaryOp(kernelName: string, op: string): KernelLowering {
  return binary(kernelName, (b, x, y) => b.ew(op, x, y));
}

/** A comparison kernel: bool output. */
export function comparison(kernelName: string, dir: 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE'): KernelLowering {
  return binary(kernelName, (b, x, y) => b.compare(x, y, dir), 'bool');
}

/** The element type a tfjs dtype lowers to (re-exported for lowerings). */
export { elemOf };
