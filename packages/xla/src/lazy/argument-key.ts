import type { BackendValues, DataType } from '@tensorflow/tfjs-core';
import { sizeOf } from '../hlo/hlo-types.js';
import type { TensorRecord } from './graph-types.js';

/** Small host tensors (scalars, short vectors) are uploaded once per distinct value. */
export const SMALL_TENSOR = 16;

/**
 * The identity of a small tensor's value: dtype, shape and elements (-0 kept apart from 0,
 * since 1/x tells them apart).
 */
export function smallValueKey(values: BackendValues, shape: readonly number[], dtype: DataType): string {
  const elements = Array.from(values as ArrayLike<number>, (v) => (Object.is(v, -0) ? '-0' : String(v)));
  return `${dtype}:${shape.join(',')}:${elements.join(',')}`;
}

/**
 * Two program leaves with the same key hold the same value, so one argument serves both: the
 * same server buffer, or equal small host values that are temporaries of the step being cut.
 * tfjs's optimizers make their scalars (learning rate, betas, epsilon) once per variable and
 * step, so without this an Adam step on 200 variables takes well over a thousand scalar
 * arguments instead of a handful; every argument costs the server a lookup and XLA a parameter.
 *
 * Only temporaries merge by value: host tensors made since `stepStart` (the record id at the
 * last cut) that tfjs has already disposed, so only pending nodes read them. A tensor made
 * before, such as the first value of Adam's beta1 power (equal to beta1 in the first step
 * only), or a variable's initial zeros, keeps its own argument: it is a server buffer in every
 * later step, and merging it in the first step only would make the first step's program
 * differ from all the others and compile twice.
 */
export function argumentKey(r: TensorRecord, stepStart: number): string | undefined {
  const s = r.source;
  if (s.kind === 'device') return `buffer:${s.handle}:${r.placement}`;
  if (s.kind !== 'host' || r.id < stepStart || r.refCount > 0) return undefined;
  if (r.placement !== 'replicated' || sizeOf(r.shape) > SMALL_TENSOR) return undefined;
  return `value:${smallValueKey(s.values, r.shape, r.dtype)}`;
}
