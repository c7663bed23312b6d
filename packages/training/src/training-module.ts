import * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters, LogOptions, Loggable } from './logging-types.js';
import type { OptimizerConfig } from './optim/optimizer-config.js';
import type { TrainerState } from './trainer-state.js';

export type { LogOptions, Loggable, Hyperparameters } from './logging-types.js';

/**
 * The research code: the model, its loss, its optimizer. The Trainer brings the rest.
 * Step methods run inside the strategy's step, so they use tfjs ops only and never read tensors;
 * epoch hooks may read.
 *
 * Build the model in `configureModel()`: the Trainer calls it once, on the strategy's backend,
 * so the module can be constructed before any tfjs backend exists (a tfjs-layers model made in
 * a class field or the constructor needs a backend already set, for example inside
 * `strategy.scope(() => new MyModule())` after `await trainer.setupStrategy()`).
 *
 * @example
 * class Classifier extends TrainingModule<Batch> {
 *   model!: tfl.Sequential;
 *   constructor(lr = 1e-3) { super(); this.saveHyperparameters({ lr }); }
 *   override configureModel() {
 *     this.model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
 *   }
 *   override parameters() { return trainableVariables(this.model); }
 *   forward(x: tf.Tensor) { return this.model.apply(x) as tf.Tensor; }
 *   trainingStep(batch: Batch) {
 *     const loss = tf.losses.sigmoidCrossEntropy(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x));
 *     this.log('train_loss', loss);
 *     return loss as tf.Scalar;
 *   }
 *   configureOptimizers() {
 *     const optimizer = tf.train.adam(this.hparams.lr as number);
 *     return { optimizer, lrScheduler: { scheduler: new StepLr(optimizer, { stepSize: 10 }), interval: 'epoch' } };
 *   }
 * }
 * await new Trainer({ strategy: 'wasm', maxEpochs: 20 }).fit(new Classifier(), trainLoader);
 */
export abstract class TrainingModule<B = Record<string, tf.Tensor>> {
  /** Set by the Trainer while it runs this module: its public state, logging and checkpoints. */
  trainer: TrainerState | undefined;
  /** What `saveHyperparameters` recorded. */
  hparams: Hyperparameters = {};

  /** The model's output for an input batch. */
  abstract forward(input: tf.Tensor): tf.Tensor;

  /** The loss of one training batch (a scalar). */
  abstract trainingStep(batch: B, batchIndex: number): tf.Scalar;

  /** Logs validation metrics for one batch. */
  validationStep?(batch: B, batchIndex: number): void;

  /** Logs test metrics for one batch. */
  testStep?(batch: B, batchIndex: number): void;

  /** The prediction for one batch; `Trainer.predict` returns them (the caller disposes them). Default: `forward` of `batch.x`, or of the batch. */
  predictStep?(batch: B, batchIndex: number): tf.TensorContainer;

  /**
   * Creates the model's layers and variables, as Lightning's `configure_model`. The Trainer
   * calls it once per module, inside the strategy's scope after the strategy is set up and
   * before `configureOptimizers`, the first time `fit`, `validate`, `test` or `predict` runs
   * the module; later calls, on any Trainer, keep the model it made. Synchronous: the scope
   * ends when it returns.
   */
  configureModel?(): void;

  /**
   * The optimizer, or an optimizer with learning-rate schedulers. Created inside the strategy's
   * scope, after `configureModel`, when a `fit` starts a run for this module (a `fit` that
   * continues its run keeps the optimizer and its state).
   */
  abstract configureOptimizers(): tf.Optimizer | OptimizerConfig;

  onFitStart?(): void | Promise<void>;
  onFitEnd?(): void | Promise<void>;
  onTrainEpochStart?(): void | Promise<void>;
  /** Called once per training epoch, after validation; may read tensors. */
  onTrainEpochEnd?(): void | Promise<void>;
  /** Runs before each training batch, outside the step. */
  onTrainBatchStart?(batch: B, batchIndex: number): void | Promise<void>;
  /** Runs after each training batch, outside the step. It gets no loss value: reading it per step would stall a remote device. */
  onTrainBatchEnd?(batchIndex: number): void | Promise<void>;
  onValidationEpochStart?(): void | Promise<void>;
  /** Called once per validation epoch, after its last batch; may read tensors and log. */
  onValidationEpochEnd?(): void | Promise<void>;
  onTestEpochStart?(): void | Promise<void>;
  /** Called once per test epoch, after its last batch; may read tensors and log. */
  onTestEpochEnd?(): void | Promise<void>;

  /**
   * The trainable variables. By default every trainable variable alive in the tfjs engine,
   * which is right for one model per process; override to name them when several models coexist.
   */
  parameters(): tf.Variable[] {
    return Object.values(tf.engine().registeredVariables).filter((v) => v.trainable);
  }

  /**
   * The variables a checkpoint saves and restores, in a fixed order. Default: `parameters()`;
   * override to add non-trainable state such as batch-norm moving statistics.
   */
  stateVariables(): tf.Variable[] {
    return this.parameters();
  }

  /**
   * Records hyperparameters: they go into every checkpoint and to the loggers at fit start.
   * @example this.saveHyperparameters({ lr: 1e-3, batchSize: 32 });
   */
  saveHyperparameters(hparams: Hyperparameters): void {
    this.hparams = { ...this.hparams, ...hparams };
  }

  /** Records a metric for the progress bar, the epoch line, callbacks and the loggers. */
  log(name: string, value: Loggable, options: LogOptions = {}): void {
    if (!this.trainer) return;
    this.trainer.recordLog(name, value, options);
  }
}
