import * as tf from '@tensorflow/tfjs-core';
import type { ModelInput } from '../models/model-input.js';

/** One batch of the bench: inputs uniform in [0, 1) and labels, both seeded (a type, so that it is a tf.TensorContainer). */
export type FixedBatch = {
  readonly inputs: tf.Tensor;
  readonly labels: tf.Tensor2D;
};

/**
 * The fixed batch of a model (`modelInput`): inputs of its shape uniform in [0, 1), and 0/1
 * labels [N, 1] for one logit or one-hot labels [N, K] for K classes. The labels are built on
 * the host from seeded draws, so that the batch is plain data whatever backend is active, as a
 * data loader's batch is (not the pending result of a program on the device).
 */
export async function fixedBatch(input: ModelInput): Promise<FixedBatch> {
  const n = input.shape[0]!;
  const inputs = tf.randomUniform([...input.shape], 0, 1, 'float32', 7);
  if (input.classes === 1) {
    const draws = tf.randomUniform([n, 1], 0, 1, 'float32', 8);
    const values = await draws.data();
    draws.dispose();
    return { inputs, labels: tf.tensor2d(Float32Array.from(values, (v) => (v > 0.5 ? 1 : 0)), [n, 1]) };
  }
  // Uniform in [0, K), floored: tfjs's int32 draws round, which would give K itself.
  const drawn = tf.randomUniform([n], 0, input.classes, 'float32', 8);
  const classes = await drawn.data();
  drawn.dispose();
  const oneHot = new Float32Array(n * input.classes);
  classes.forEach((c, i) => {
    oneHot[i * input.classes + Math.min(Math.floor(c), input.classes - 1)] = 1;
  });
  return { inputs, labels: tf.tensor2d(oneHot, [n, input.classes]) };
}

/** The model's loss on logits: sigmoid cross-entropy for one logit, softmax cross-entropy for several (tfjs's own, mean over the batch). */
export function modelLoss(input: Pick<ModelInput, 'classes'>): (labels: tf.Tensor2D, logits: tf.Tensor2D) => tf.Scalar {
  return input.classes === 1
    ? (labels, logits) => tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar
    : (labels, logits) => tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}
