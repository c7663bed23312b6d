import * as tf from '@tensorflow/tfjs-core';
import { TrainingModule } from '../training-module.js';
import type { Batch } from '../data/collate.js';
import type { OptimizerConfig } from '../optim/optimizer-config.js';
import { FlatAdam } from '../optim/flat-adam.js';
import { StepLr } from '../optim/step-lr.js';

let count = 0;

/**
 * A two-layer net with dropout (seeded through Math.random), Adam and a StepLr scheduler: every
 * kind of state a checkpoint must carry for an exact resume.
 */
export class DropoutNet extends TrainingModule<Batch> {
  readonly w1: tf.Variable;
  readonly b1: tf.Variable;
  readonly w2: tf.Variable;
  constructor(hidden = 8, init = 1) {
    super();
    const id = count++;
    this.w1 = tf.variable(tf.randomNormal([2, hidden], 0, 0.5, 'float32', init), true, `dn_w1_${id}`);
    this.b1 = tf.variable(tf.zeros([hidden]), true, `dn_b1_${id}`);
    this.w2 = tf.variable(tf.randomNormal([hidden, 1], 0, 0.5, 'float32', init + 1), true, `dn_w2_${id}`);
    this.saveHyperparameters({ hidden, lr: 0.01 });
  }
  override parameters(): tf.Variable[] {
    return [this.w1, this.b1, this.w2];
  }
  forward(x: tf.Tensor, training = false): tf.Tensor {
    let h = tf.tanh(tf.add(tf.matMul(x, this.w1), this.b1));
    if (training) h = tf.dropout(h, 0.25);
    return tf.matMul(h, this.w2);
  }
  trainingStep(batch: Batch): tf.Scalar {
    const loss = tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x, true)) as tf.Scalar;
    this.log('mse', loss);
    return loss;
  }
  override validationStep(batch: Batch): void {
    this.log('val_loss', tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)));
  }
  configureOptimizers(): OptimizerConfig {
    const optimizer = tf.train.adam(this.hparams.lr as number);
    return { optimizer, lrScheduler: { scheduler: new StepLr(optimizer, { stepSize: 1, gamma: 0.7 }), interval: 'epoch' } };
  }
  dispose(): void {
    tf.dispose(this.parameters());
  }
}

/** DropoutNet trained with Strata's FlatAdam instead of tf.train.adam. */
export class FlatAdamDropoutNet extends DropoutNet {
  override configureOptimizers(): OptimizerConfig {
    const optimizer = new FlatAdam(this.hparams.lr as number);
    return { optimizer, lrScheduler: { scheduler: new StepLr(optimizer, { stepSize: 1, gamma: 0.7 }), interval: 'epoch' } };
  }
}
