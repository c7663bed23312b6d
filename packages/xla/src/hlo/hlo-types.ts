import type { DataType } from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';

/** StableHLO element types the lowerings emit. */
export type ElemType = 'f32' | 'i32' | 'i1' | 'bf16' | 'f16' | 'ui8' | 'ui32' | 'ui64';

/** A tensor type in a module: shape and element type. */
export interface TensorType {
  readonly shape: readonly number[];
  readonly elem: ElemType;
}

/** An SSA value of the module being built. */
export interface Value {
  readonly name: string;
  readonly type: TensorType;
}

/** `tensor<2x3xf32>`, `tensor<f32>` for a scalar. */
export function typeText(t: TensorType): string {
  return t.shape.length === 0 ? `tensor<${t.elem}>` : `tensor<${t.shape.join('x')}x${t.elem}>`;
}

/** The module element type of a tfjs dtype. */
export function elemOf(dtype: DataType): ElemType {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'i1';
    default:
      throw new StrataError('unsupported-option', `The xla backend cannot hold tensors of dtype ${JSON.stringify(dtype)}.`, {
        value: dtype,
        fix: "use 'float32', 'int32' or 'bool' tensors on an XLA strategy.",
      });
  }
}

export function isFloat(elem: ElemType): boolean {
  return elem === 'f32' || elem === 'bf16' || elem === 'f16';
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
