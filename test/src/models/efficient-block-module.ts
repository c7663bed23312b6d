import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, TrainingModule, type Batch } from '@strata/training';
import { seededVariable, zerosVariable } from './seeded-weights.js';

/**
 * The contract's EfficientNet-style block on 8x8x3 inputs: stem conv3x3(8) with batch norm and
 * swish, depthwise conv3x3 with batch norm and swish, squeeze-excitation (reduce 2), 1x1
 * projection with a residual add, global average pool and a one-logit head.
 */
export class EfficientBlockModule extends TrainingModule<Batch> {
  readonly weights: tf.Variable[];

  constructor(seed = 11) {
    super();
    const r = new SeededRandom(seed);
    this.weights = [
      seededVariable(r, [3, 3, 3, 8], 'block/stem/kernel', 27, 72),
      tf.variable(tf.ones([8]), true, 'block/stem/gamma'),
      zerosVariable([8], 'block/stem/beta'),
      seededVariable(r, [3, 3, 8, 1], 'block/dw/kernel', 9, 9),
      tf.variable(tf.ones([8]), true, 'block/dw/gamma'),
      zerosVariable([8], 'block/dw/beta'),
      seededVariable(r, [8, 2], 'block/se/reduce', 8, 2),
      zerosVariable([2], 'block/se/reduce_bias'),
      seededVariable(r, [2, 8], 'block/se/expand', 2, 8),
      zerosVariable([8], 'block/se/expand_bias'),
      seededVariable(r, [1, 1, 8, 8], 'block/project/kernel', 8, 8),
      seededVariable(r, [8, 1], 'block/head/kernel', 8, 1),
      zerosVariable([1], 'block/head/bias'),
    ];
  }

  override parameters(): tf.Variable[] {
    return this.weights;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const [stem, g1, b1, dw, g2, b2, seR, seRb, seE, seEb, proj, head, headB] = this.weights;
    const stemOut = swish(batchNorm(tf.conv2d(x as tf.Tensor4D, stem as tf.Tensor4D, 1, 'same'), g1, b1));
    const dwOut = swish(batchNorm(tf.depthwiseConv2d(stemOut, dw as tf.Tensor4D, 1, 'same'), g2, b2));
    const squeezed = tf.mean(dwOut, [1, 2]);
    const excite = tf.sigmoid(tf.add(tf.matMul(swish(tf.add(tf.matMul(squeezed, seR), seRb)), seE), seEb));
    const scaled = tf.mul(dwOut, tf.reshape(excite, [-1, 1, 1, 8]));
    const projected = tf.add(tf.conv2d(scaled as tf.Tensor4D, proj as tf.Tensor4D, 1, 'same'), stemOut);
    return tf.add(tf.matMul(tf.mean(projected, [1, 2]), head), headB);
  }

  trainingStep(batch: Batch): tf.Scalar {
    return tf.losses.sigmoidCrossEntropy(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }

  configureOptimizers(): tf.Optimizer {
    return tf.train.adam(1e-2);
  }
}

function swish(x: tf.Tensor): tf.Tensor4D {
  return tf.mul(x, tf.sigmoid(x)) as tf.Tensor4D;
}

function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3) as tf.Tensor4D;
}
