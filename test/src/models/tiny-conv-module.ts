import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, TrainingModule, type Batch } from '@strata/training';
import { seededVariable, zerosVariable } from './seeded-weights.js';

/**
 * The contract's fixed tiny convnet: conv3x3(4)+relu, maxpool 2, dense(1), on 8x8x3 inputs.
 * Weights come from a seed, so every strategy starts from the same numbers.
 */
export class TinyConvModule extends TrainingModule<Batch> {
  readonly weights: tf.Variable[];

  constructor(seed = 7) {
    super();
    const random = new SeededRandom(seed);
    this.weights = [
      seededVariable(random, [3, 3, 3, 4], 'tiny/conv/kernel', 27, 36),
      zerosVariable([4], 'tiny/conv/bias'),
      seededVariable(random, [64, 1], 'tiny/dense/kernel', 64, 1),
      zerosVariable([1], 'tiny/dense/bias'),
    ];
  }

  override parameters(): tf.Variable[] {
    return this.weights;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const [kernel, bias, dense, denseBias] = this.weights;
    const conv = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same'), bias));
    const pooled = tf.maxPool(conv as tf.Tensor4D, 2, 2, 'valid');
    return tf.add(tf.matMul(tf.reshape(pooled, [x.shape[0], 64]), dense), denseBias);
  }

  trainingStep(batch: Batch): tf.Scalar {
    return tf.losses.sigmoidCrossEntropy(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }

  override validationStep(batch: Batch): void {
    this.log('val_loss', this.trainingStep(batch));
  }

  configureOptimizers(): tf.Optimizer {
    return tf.train.adam(1e-2);
  }

  dispose(): void {
    tf.dispose(this.weights);
  }
}
