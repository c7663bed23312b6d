import * as tf from '@tensorflow/tfjs-core';

/**
 * Element-wise binary cross-entropy from logits, in the overflow-free form
 * `max(x, 0) - x * z + log(1 + exp(-|x|))` (as TensorFlow's
 * `sigmoid_cross_entropy_with_logits` and PyTorch's `binary_cross_entropy_with_logits`).
 *
 * @example
 * const perSample = sigmoidCrossEntropyWithLogits(labels, logits); // same shape as logits
 */
export function sigmoidCrossEntropyWithLogits(labels: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const z = tf.reshape(tf.cast(labels, 'float32'), logits.shape);
    return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  });
}

/**
 * Mean binary cross-entropy from logits.
 *
 * @example
 * const loss = sigmoidCrossEntropy(batch.y, logits); // scalar
 */
export function sigmoidCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(sigmoidCrossEntropyWithLogits(labels, logits)) as tf.Scalar);
}
