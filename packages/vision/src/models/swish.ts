import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * tfjs-layers' `activation({ activation: 'swish' })` without its scale: tfjs-layers computes
 * `sigmoid(x * alpha) * x` with alpha 1, one full-size multiply forward and one backward that
 * change nothing (about 98 per EfficientNet-B0 training step). This computes `x * sigmoid(x)`.
 *
 * Its class name and config are tfjs-layers' Activation with 'swish', so a saved topology loads in
 * plain tfjs as tfjs-layers' own layer, which computes the same values.
 *
 * @example
 * x = swish({ name: 'stem_activation' }).apply(x) as tfl.SymbolicTensor;
 */
export class Swish extends tfl.layers.Layer {
  /** tfjs-layers' name, so that a saved topology names a class every tfjs can build. */
  static className = 'Activation';

  constructor(args: { readonly name?: string } = {}) {
    super(args.name === undefined ? {} : { name: args.name });
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.mul(x, tf.sigmoid(x));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { activation: 'swish', ...super.getConfig() };
  }
}

/** A swish activation layer (see the class): x * sigmoid(x). */
export function swish(args: { readonly name?: string } = {}): Swish {
  return new Swish(args);
}
