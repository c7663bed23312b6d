import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { hostEffect } from '@strata/core';
import { FlatAdam, LambdaLr, TrainingModule, trainableVariables, type Batch, type OptimizerConfig } from '@strata/training';
import { BinaryClassificationMetrics, WeightedFocalLoss } from '@strata/vision';

/**
 * The seed's LightningModule: a convnet with one logit, the weighted focal loss, Adam, and
 * ROC-AUC over each validation epoch. Research code only: nothing here names a device.
 */
export interface MelanomaClassifierOptions {
  readonly learningRate: number;
  /** 'cosine': decay per epoch to 5% of the rate over `epochs`; 'constant': the seed's plain Adam. */
  readonly schedule: 'cosine' | 'constant';
  /** Epochs of the cosine schedule (the run's max epochs). */
  readonly epochs: number;
}

export class MelanomaClassifier extends TrainingModule<Batch> {
  /** Validation batches of the current validation run, the sanity check's included. */
  validationBatches = 0;
  private readonly loss = new WeightedFocalLoss({ alpha: 0.25, gamma: 2 });
  private readonly metrics = new BinaryClassificationMetrics(0.5);

  constructor(
    readonly model: tfl.LayersModel,
    private readonly options: MelanomaClassifierOptions,
  ) {
    super();
    const { learningRate, epochs, schedule } = options;
    this.saveHyperparameters({ model: model.name, lr: learningRate, epochs, loss: 'weighted-focal(alpha=0.25,gamma=2)', schedule });
  }

  override parameters(): tf.Variable[] {
    return trainableVariables(this.model);
  }

  /** Trainable weights and the batch-norm statistics, for checkpoints. */
  override stateVariables(): tf.Variable[] {
    return this.model.weights.map((w) => (w as unknown as { val: tf.Variable }).val);
  }

  forward(x: tf.Tensor, training = false): tf.Tensor {
    return this.model.apply(x, { training }) as tf.Tensor;
  }

  trainingStep(batch: Batch): tf.Scalar {
    return this.loss.call(batch.y, this.forward(batch.x, true));
  }

  override validationStep(batch: Batch): void {
    // Host state: counted again by each replay of the compiled step.
    hostEffect(() => this.validationBatches++);
    const logits = this.forward(batch.x, false);
    this.log('val_loss', this.loss.call(batch.y, logits));
    // Kept on the device; read once per epoch in onValidationEpochEnd.
    this.metrics.update(tf.sigmoid(logits), batch.y);
  }

  /** A validation run starts afresh: the sanity check's batches (which get no epoch end) are dropped. */
  override onValidationEpochStart(): void {
    this.validationBatches = 0;
    this.metrics.reset();
  }

  override async onValidationEpochEnd(): Promise<void> {
    const strategy = this.trainer?.strategy;
    const result = await this.metrics.compute(strategy ? (t) => strategy.read(t) : undefined);
    this.log('val_auc', result.auc);
    this.log('val_acc', result.accuracy);
    this.log('val_precision', result.precision, { progBar: false });
    this.log('val_recall', result.recall, { progBar: false });
  }

  /**
   * Adam (Strata's FlatAdam: tf.train.adam's math in a few ops a step, not fourteen per
   * variable), at a constant rate as the seed, or with a cosine decay per epoch (to 5% of the
   * rate), which steadies the last epochs of longer runs.
   */
  configureOptimizers(): OptimizerConfig {
    const { learningRate, epochs, schedule } = this.options;
    const optimizer = new FlatAdam(learningRate);
    if (schedule === 'constant') return { optimizer };
    const cosine = (epoch: number) => 0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * Math.min(epoch, epochs)) / epochs));
    return { optimizer, lrScheduler: { scheduler: new LambdaLr(optimizer, cosine), interval: 'epoch' } };
  }
}
