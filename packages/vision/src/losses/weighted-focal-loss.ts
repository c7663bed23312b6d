import * as tf from '@tensorflow/tfjs-core';
import { invalidOption } from '@strata/core';
import { sigmoidCrossEntropyWithLogits } from './sigmoid-cross-entropy.js';

export interface WeightedFocalLossOptions {
  /** Weight of the negative class; positives get 1 - alpha (default 0.25, as the seed). */
  readonly alpha?: number;
  /** Focusing exponent: easy examples are down-weighted by (1 - p_t)^gamma (default 2). */
  readonly gamma?: number;
}

/**
 * The seed's `WeightedFocalLoss` (Lin et al., 2017, with a class weight):
 * `mean(a_t * (1 - p_t)^gamma * BCE)`, where BCE is the cross-entropy from logits,
 * `p_t = exp(-BCE)` and `a_t` is `alpha` for a negative and `1 - alpha` for a positive.
 * Computed per sample: the seed's PyTorch version broadcast an [N] weight against [N, 1]
 * losses into an N x N matrix; this is the element-wise loss it meant.
 *
 * @example
 * const focal = new WeightedFocalLoss({ alpha: 0.25, gamma: 2 });
 * const loss = focal.call(batch.y, logits); // scalar
 */
export class WeightedFocalLoss {
  readonly alpha: number;
  readonly gamma: number;

  constructor(options: WeightedFocalLossOptions = {}) {
    this.alpha = options.alpha ?? 0.25;
    this.gamma = options.gamma ?? 2;
    if (!(this.alpha >= 0 && this.alpha <= 1)) invalidOption('alpha', options.alpha, 'a number in [0, 1]');
    if (!(this.gamma >= 0) || !Number.isFinite(this.gamma)) invalidOption('gamma', options.gamma, 'a number >= 0');
  }

  /** The mean focal loss of a batch: `labels` 0 or 1, `logits` of any matching shape. */
  call(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const z = tf.reshape(tf.cast(labels, 'float32'), logits.shape);
      const bce = sigmoidCrossEntropyWithLogits(z, logits);
      const pt = tf.exp(tf.neg(bce));
      // alpha for negatives, 1 - alpha for positives: alpha + z * (1 - 2 alpha).
      const at = tf.add(tf.scalar(this.alpha), tf.mul(z, tf.scalar(1 - 2 * this.alpha)));
      const focus = this.gamma === 0 ? tf.onesLike(pt) : tf.pow(tf.sub(tf.scalar(1), pt), tf.scalar(this.gamma));
      return tf.mean(tf.mul(tf.mul(at, focus), bce)) as tf.Scalar;
    });
  }
}
