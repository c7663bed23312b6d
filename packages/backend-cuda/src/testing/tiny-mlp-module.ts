// Test support: a seeded two-layer perceptron and a fixed batch, small enough that a server
// compiles its step in well under a second, for the XLA engine's tests on XLA:CPU.
import * as tf from '@tensorflow/tfjs-core';
import { DataLoader, SeededRandom, TrainingModule, arrayDataset, type Batch, type Sample } from '@strata/training';

const FEATURES = 8;
const HIDDEN = 16;

/** dense(16)+relu, dense(1), sigmoid cross-entropy, Adam; weights drawn from a seed, equal on every backend. */
export class TinyMlpModule extends TrainingModule<Batch> {
  readonly weights: tf.Variable[];

  constructor(seed = 5, private readonly learningRate = 0.05) {
    super();
    const random = new SeededRandom(seed);
    const draw = (shape: number[], scale: number) => {
      const values = Float32Array.from({ length: shape[0] * (shape[1] ?? 1) }, () => random.nextNormal() * scale);
      return tf.variable(tf.tensor(values, shape));
    };
    this.weights = [draw([FEATURES, HIDDEN], 0.4), tf.variable(tf.zeros([HIDDEN])), draw([HIDDEN, 1], 0.3), tf.variable(tf.zeros([1]))];
  }

  override parameters(): tf.Variable[] {
    return this.weights;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const [w1, b1, w2, b2] = this.weights;
    const hidden = tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1 as tf.Tensor2D), b1));
    return tf.add(tf.matMul(hidden, w2 as tf.Tensor2D), b2);
  }

  trainingStep(batch: Batch): tf.Scalar {
    return tf.losses.sigmoidCrossEntropy(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }

  configureOptimizers(): tf.Optimizer {
    return tf.train.adam(this.learningRate);
  }
}

/** `count` samples of 8 features; the label says whether their sum is positive. */
export function tinySamples(count: number, seed = 9): Sample[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => {
    const data = Float32Array.from({ length: FEATURES }, () => random.nextNormal());
    return { x: { data, shape: [FEATURES] }, y: data.reduce((a, b) => a + b, 0) > 0 ? 1 : 0 };
  });
}

/** One batch of 16 per epoch, in a fixed order: each epoch's train_loss is one step's loss. */
export function tinyLoader(): DataLoader {
  return new DataLoader(arrayDataset(tinySamples(16)), { batchSize: 16 });
}
