import type * as tf from '@tensorflow/tfjs-core';

/** What `trainableVariables` needs of a tfjs-layers model or layer. */
export interface HasTrainableWeights {
  readonly trainableWeights: readonly unknown[];
}

/**
 * The `tf.Variable`s behind a tfjs-layers model's trainable weights, for
 * `TrainingModule.parameters()`. tfjs-layers wraps each variable in a `LayerVariable` whose
 * `val` is the engine's variable; gradients are taken with respect to those.
 *
 * @example
 * override parameters() { return trainableVariables(this.model); }
 */
export function trainableVariables(model: HasTrainableWeights): tf.Variable[] {
  return model.trainableWeights.map((weight) => (weight as { val: tf.Variable }).val);
}
