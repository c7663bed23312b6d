import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { StrataError, batchNormTraining, quote } from '@strata/core';

export interface BatchNormalizationArgs {
  /** The channel axis: the last (-1 or 3; NHWC, as every layer of tfjs-layers). */
  readonly axis?: number;
  /** Weight of the old value in the running averages (default 0.99, as Keras). */
  readonly momentum?: number;
  /** Added to the variance before the square root (default 1e-3, as Keras). */
  readonly epsilon?: number;
  readonly name?: string;
}

/**
 * tfjs-layers' BatchNormalization for NHWC float32 feature maps, the same weights under the same
 * names (gamma, beta, moving_mean, moving_variance) and the same results, whose training branch is
 * `@strata/core`'s `batchNormTraining`: one op with its own gradient, fused on the native engine
 * (TensorFlow's FusedBatchNormV3), where tfjs-layers records `tf.moments` and `tf.batchNorm` op
 * by op (about two dozen full-size ops backward), which makes batch-normed models train markedly
 * faster on the native engine (bench/README.md has the measurements).
 *
 * Inference uses the running averages with `tf.batchNorm`, as tfjs-layers does. Its class name
 * stays 'BatchNormalization': a topology saved from a model that uses it loads in plain tfjs as
 * tfjs-layers' layer, which computes the same thing.
 *
 * @example
 * x = batchNormalization({ momentum: 0.99, epsilon: 1e-3, name: 'stem_bn' }).apply(x) as tfl.SymbolicTensor;
 */
export class BatchNormalization extends tfl.layers.Layer {
  /** tfjs-layers' name, so that a saved topology names a class every tfjs can build. */
  static className = 'BatchNormalization';

  private readonly axis: number;
  private readonly momentum: number;
  private readonly epsilon: number;
  private gamma: tfl.LayerVariable | undefined;
  private beta: tfl.LayerVariable | undefined;
  private movingMean: tfl.LayerVariable | undefined;
  private movingVariance: tfl.LayerVariable | undefined;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args.name === undefined ? {} : { name: args.name });
    this.supportsMasking = true;
    this.axis = args.axis ?? -1;
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    if (this.axis !== -1 && this.axis !== 3) {
      throw new StrataError('bad-input', `batchNormalization: axis ${quote(this.axis)} is not the channel axis of NHWC input; use -1 (or 3), or tf.layers.batchNormalization for another layout.`);
    }
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new StrataError('bad-input', `batchNormalization: momentum ${quote(this.momentum)} is not in [0, 1]; Keras's default is 0.99.`);
    }
    if (!(this.epsilon > 0)) {
      throw new StrataError('bad-input', `batchNormalization: epsilon ${quote(this.epsilon)} is not positive; Keras's default is 1e-3.`);
    }
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1];
    if (shape.length !== 4 || typeof channels !== 'number') {
      throw new StrataError('bad-input', `batchNormalization '${this.name}': input shape ${quote(shape)} is not [batch, height, width, channels] with a known channel count; use tf.layers.batchNormalization for other ranks.`);
    }
    this.inputSpec = [new tfl.InputSpec({ ndim: 4, axes: { [3]: channels } })];
    this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', tfl.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', tfl.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const gamma = this.gamma!.read() as tf.Tensor1D;
      const beta = this.beta!.read() as tf.Tensor1D;
      if (!kwargs['training']) {
        return tf.batchNorm(x, this.movingMean!.read() as tf.Tensor1D, this.movingVariance!.read() as tf.Tensor1D, beta, gamma, this.epsilon);
      }
      const { y, mean, variance } = batchNormTraining(x, gamma, beta, this.epsilon);
      // The running averages as tfjs-layers updates them: old - (old - batch) * (1 - momentum),
      // with the biased batch variance (Keras's choice; PyTorch keeps the unbiased one).
      this.updateAverage(this.movingMean!, mean);
      this.updateAverage(this.movingVariance!, variance);
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    // tfjs-layers' keys; the initializers it would also list are its defaults, which it fills in.
    return { axis: this.axis, momentum: this.momentum, epsilon: this.epsilon, center: true, scale: true, ...super.getConfig() };
  }

  private updateAverage(average: tfl.LayerVariable, batch: tf.Tensor1D): void {
    tf.tidy(() => {
      const old = average.read();
      average.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - this.momentum)));
    });
  }
}

/** A BatchNormalization layer (see the class): tfjs-layers' `tf.layers.batchNormalization` for NHWC, trained with one fused op. */
export function batchNormalization(args: BatchNormalizationArgs = {}): BatchNormalization {
  return new BatchNormalization(args);
}
