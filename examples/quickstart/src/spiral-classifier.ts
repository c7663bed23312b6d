import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TrainingModule, trainableVariables, type Batch } from '@strata/training';

/** A two-hidden-layer MLP that separates the spirals. Research code only: no device logic. */
export class SpiralClassifier extends TrainingModule<Batch> {
  model!: tfl.Sequential;

  constructor(private readonly learningRate: number) {
    super();
  }

  /** Builds the network on the strategy's backend (the Trainer calls it once, inside its scope). */
  override configureModel(): void {
    this.model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [2], units: 32, activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 32, activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
        tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
  }

  override parameters(): tf.Variable[] {
    return trainableVariables(this.model);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return this.model.apply(x, { training: true }) as tf.Tensor;
  }

  trainingStep(batch: Batch): tf.Scalar {
    return tf.losses.sigmoidCrossEntropy(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }

  override validationStep(batch: Batch): void {
    const logits = this.forward(batch.x);
    const labels = tf.reshape(batch.y, [-1, 1]);
    this.log('val_loss', tf.losses.sigmoidCrossEntropy(labels, logits));
    this.log('val_acc', tf.mean(tf.cast(tf.equal(tf.greater(logits, 0), tf.cast(labels, 'bool')), 'float32')));
  }

  configureOptimizers(): tf.Optimizer {
    return tf.train.adam(this.learningRate);
  }
}
