import * as tf from '@tensorflow/tfjs-core';
import type { TrainerView } from '../callback.js';
import { restoreCheckpoint } from '../checkpoint/checkpoint-connector.js';
import type { DataModule } from '../data-module.js';
import { loadersFor } from '../loader-arguments.js';
import { firstBatches } from './first-batches.js';
import type { FitOptions, Loader } from '../loader.js';
import { limitBatches } from '../trainer-options.js';
import type { TrainingModule } from '../training-module.js';
import { TrainerStep } from './trainer-step.js';
import { configureModelOnce } from './configure-model.js';
import { runnableLoaders } from './empty-loaders.js';

/**
 * `Trainer.predict`, as Lightning's prediction loop: `predictStep` (default: `forward` of
 * `batch.x`, or of the batch) over each loader, the predictions kept in order.
 */
export class PredictionLoop {
  /** The batch being predicted, for the step function (which a replay does not run). */
  private context: { readonly module: TrainingModule<tf.TensorContainer>; readonly index: number } | undefined;
  /** The prediction step: traced once and replayed where the strategy compiles steps. */
  private readonly predictStep = new TrainerStep('prediction step', ({ batch }: { batch: tf.TensorContainer }): tf.TensorContainer => {
    const { module, index } = this.context!;
    if (module.predictStep) return module.predictStep(batch, index) as tf.TensorContainer;
    const input = (batch as unknown as { x?: tf.Tensor }).x ?? (batch as unknown as tf.Tensor);
    return module.forward(input) as unknown as tf.TensorContainer;
  }, () => this.trainer.options.compileSteps);

  constructor(private readonly trainer: TrainerView) {}

  /** Returns the predictions as tensors the caller owns and disposes; an empty loader adds none, with a warning. */
  async run<B extends tf.TensorContainer, P extends tf.TensorContainer>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    options: FitOptions,
  ): Promise<P[]> {
    const trainer = this.trainer;
    const strategy = await trainer.setupStrategy();
    const list = runnableLoaders(await loadersFor(loaders, 'predict'), 'predict', 'prediction');
    module.trainer = trainer;
    trainer.module = module as unknown as TrainingModule<never>;
    trainer.stage = 'predict';
    try {
      configureModelOnce(module as unknown as TrainingModule<never>, strategy);
      if (options.ckptPath !== undefined) await restoreCheckpoint(trainer, options.ckptPath, { weightsOnly: true });
      const out: P[] = [];
      for (const loader of list) {
        const limit = limitBatches('limitPredictBatches', trainer.options.limitPredictBatches, loader.length);
        for await (const [index, raw] of firstBatches(loader, limit)) {
          const batch = strategy.distributeBatch(raw);
          this.context = { module: module as unknown as TrainingModule<tf.TensorContainer>, index };
          try {
            out.push((await this.predictStep.run(strategy, { batch }, '')) as P);
          } finally {
            this.context = undefined;
          }
          tf.dispose(batch);
        }
      }
      return out;
    } finally {
      module.trainer = undefined;
      trainer.stage = undefined;
    }
  }
}
