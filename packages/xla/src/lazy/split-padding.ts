import type { BackendValues } from '@tensorflow/tfjs-core';
import { sizeOf } from '../hlo/hlo-types.js';
import type { Placement } from './graph-types.js';

// A batch split over the devices whose first dimension does not divide by their number travels
// padded: zero rows are appended up to the next multiple, so that every device holds the same
// number of rows (what XLA's SPMD sharding and the server need). The program slices the padding
// off before any op reads the tensor, so every op sees the true rows and XLA's partitioner masks
// the padding in its reductions; no result ever holds a padding row.

/** The shape a tensor has on the server: dimension 0 of a split tensor rounded up to a multiple of the devices. */
export function wireShape(shape: readonly number[], placement: Placement, numDevices: number): number[] {
  if (!isPadded(shape, placement, numDevices)) return [...shape];
  return [Math.ceil(shape[0] / numDevices) * numDevices, ...shape.slice(1)];
}

/** True when the tensor travels with zero rows appended (a split one whose rows do not divide by the devices). */
export function isPadded(shape: readonly number[], placement: Placement, numDevices: number): boolean {
  return placement === 'split' && numDevices > 1 && shape.length > 0 && shape[0] % numDevices !== 0;
}

/** `values` (of `shape`) followed by zeros up to the size of `wire`: the padded rows. */
export function padRows(values: BackendValues, shape: readonly number[], wire: readonly number[]): BackendValues {
  const size = sizeOf(wire);
  if (size === sizeOf(shape)) return values;
  const typed = values as Float32Array | Int32Array | Uint8Array;
  const Ctor = typed.constructor as new (n: number) => Float32Array | Int32Array | Uint8Array;
  const out = new Ctor(size);
  out.set(typed);
  return out;
}

/** The true rows of values fetched at the wire shape: the first `sizeOf(shape)` elements. */
export function trueRows(values: BackendValues, shape: readonly number[]): BackendValues {
  const typed = values as Float32Array | Int32Array | Uint8Array;
  const size = sizeOf(shape);
  return typed.length === size ? values : typed.slice(0, size);
}
