import * as tf from '@tensorflow/tfjs-core';

/** `accumulated + grads`, name by name (the caller frees the previous sums after the step). */
export function addGradients(accumulated: tf.NamedTensorMap, grads: tf.NamedTensorMap): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [name, grad] of Object.entries(grads)) {
    const previous = accumulated[name];
    out[name] = previous ? tf.add(previous, grad) : grad;
  }
  return out;
}

/** Every gradient times `factor` (a number, or a scalar tensor such as a dynamic loss scale). */
export function scaleAll(grads: tf.NamedTensorMap, factor: number | tf.Scalar): tf.NamedTensorMap {
  if (factor === 1) return grads;
  const out: tf.NamedTensorMap = {};
  for (const [name, grad] of Object.entries(grads)) out[name] = tf.mul(grad, factor);
  return out;
}

/** A scalar: 1 when every gradient element is finite, else 0 (computed on the device). */
export function allFinite(grads: tf.NamedTensorMap): tf.Scalar {
  const sums = Object.values(grads).map((g) => tf.sum(g));
  // A sum is finite only if every element was: one reduction per tensor, then one over all.
  const total = sums.length === 1 ? sums[0] : tf.addN(sums);
  return tf.cast(tf.isFinite(total), 'float32') as tf.Scalar;
}

/**
 * Clips gradients as torch's clip_grad_norm_ (global L2 norm over all of them, factor
 * max / (norm + 1e-6) capped at 1) or clip_grad_value_ (element-wise to [-max, max]).
 */
export function clipGradients(grads: tf.NamedTensorMap, max: number, algorithm: 'norm' | 'value'): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  if (algorithm === 'value') {
    for (const [name, grad] of Object.entries(grads)) out[name] = tf.clipByValue(grad, -max, max);
    return out;
  }
  const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
  const norm = tf.sqrt(squares.length === 1 ? squares[0] : tf.addN(squares));
  const factor = tf.minimum(tf.div(max, tf.add(norm, 1e-6)), 1);
  for (const [name, grad] of Object.entries(grads)) out[name] = tf.mul(grad, factor);
  return out;
}
