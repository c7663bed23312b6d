// Host-side values of the lazy backend: constants an op writes, and fills made into arrays.
import { engine, type BackendValues, type DataType } from '@tensorflow/tfjs-core';
import { sizeOf } from '../hlo/hlo-types.js';
import { SMALL_TENSOR } from './argument-key.js';
import type { TensorSource } from './graph-types.js';

/**
 * A host write that is an op's constant rather than data: larger than a small tensor, one
 * repeated value, written while tfjs records or runs gradients (the ones of Mean's
 * gradient, for example). Baked into the program instead of uploaded every step. Scalars and small tensors
 * are never baked in: optimizer scalars change between steps and must stay arguments.
 */
export function opConstant(values: BackendValues, shape: readonly number[]): TensorSource | undefined {
  if (sizeOf(shape) <= SMALL_TENSOR || !(values instanceof Float32Array || values instanceof Int32Array)) return undefined;
  if (!insideGradients()) return undefined;
  const first = values[0];
  if (Number.isNaN(first)) return undefined;
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return undefined;
  return { kind: 'fill', value: first, embed: true };
}

/** True while tfjs records a forward pass for gradients or runs the backward pass. */
function insideGradients(): boolean {
  const state = engine().state as unknown as { gradientDepth: number; scopeStack: { name: string }[] };
  return state.gradientDepth > 0 || state.scopeStack.some((s) => s.name === 'backward');
}

/** The values of a fill: `value` repeated over `shape`, in the dtype's array type. */
export function filled(value: number, shape: readonly number[], dtype: DataType): BackendValues {
  const n = sizeOf(shape);
  const out = dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n);
  if (value !== 0) out.fill(value);
  return out;
}
