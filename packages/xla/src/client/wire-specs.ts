import type { DataType } from '@tensorflow/tfjs-core';
import type { Placement } from '../lazy/graph-types.js';
import type { TensorSpecLike } from '../lazy/program-executor.js';

/** The protocol's DType of each tfjs dtype the server takes. */
export const WIRE_DTYPE: Partial<Record<DataType, string>> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };
export const WIRE_PLACEMENT: Record<Placement, string> = { replicated: 'REPLICATED', split: 'SPLIT_DIM0' };
export const DTYPE_OF_WIRE: Record<string, DataType> = { F32: 'float32', I32: 'int32', BOOL: 'bool' };

/** A tensor spec as the protocol's TensorSpec message. */
export function specOf(s: TensorSpecLike): object {
  return { dtype: WIRE_DTYPE[s.dtype], shape: s.shape, placement: WIRE_PLACEMENT[s.placement] };
}
