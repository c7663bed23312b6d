import * as tf from '@tensorflow/tfjs-core';

/** A leaf of a step's inputs or outputs: a tensor, a number (a dynamic argument), or a fixed value. */
export type Leaf = tf.Tensor | number | string | boolean | null | undefined;

/** The leaves of a tensor container, depth first in key order, and its shape as text. */
export interface Flattened {
  readonly leaves: readonly Leaf[];
  /** The nesting and keys, with `#` where a leaf goes: equal for containers of the same form. */
  readonly form: string;
}

function isContainer(value: unknown): value is Record<string, tf.TensorContainer> | tf.TensorContainer[] {
  return value !== null && typeof value === 'object' && !(value instanceof tf.Tensor) && !ArrayBuffer.isView(value);
}

export function flatten(container: tf.TensorContainer): Flattened {
  const leaves: Leaf[] = [];
  const walk = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(walk).join(',')}]`;
    if (isContainer(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${walk(v)}`).join(',')}}`;
    if (ArrayBuffer.isView(value)) throw new TypeError('typed arrays in a compiled step\'s inputs or outputs are not supported: pass tensors');
    leaves.push(value as Leaf);
    return '#';
  };
  return { leaves, form: walk(container) };
}

/** The container of the same form as `container` with each leaf replaced by `map(leaf, index)`. */
export function mapLeaves(container: tf.TensorContainer, map: (leaf: Leaf, index: number) => unknown): tf.TensorContainer {
  let index = 0;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (isContainer(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return map(value as Leaf, index++);
  };
  return walk(container) as tf.TensorContainer;
}

/** How a leaf enters the signature: a tensor by dtype and shape, a number as an argument, anything else by value. */
export function leafSignature(leaf: Leaf, placementOf: (t: tf.Tensor) => string): string {
  if (leaf instanceof tf.Tensor) return `${leaf.dtype}[${leaf.shape.join(',')}]${placementOf(leaf)}`;
  if (typeof leaf === 'number') return 'n';
  return `=${JSON.stringify(leaf) ?? 'undefined'}`;
}
