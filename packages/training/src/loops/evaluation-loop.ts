import * as tf from '@tensorflow/tfjs-core';
import { StrataError, type DistributionStrategy } from '@strata/core';
import type { TrainerView } from '../callback.js';
import { restoreCheckpoint } from '../checkpoint/checkpoint-connector.js';
import type { CallbackConnector } from '../connectors/callback-connector.js';
import type { LoggerConnector, Phase } from '../connectors/logger-connector.js';
import type { DataModule } from '../data-module.js';
import { loadersFor } from '../loader-arguments.js';
import { firstBatches } from './first-batches.js';
import type { FitOptions, Loader } from '../loader.js';
import { limitBatches, type ResolvedLimit } from '../trainer-options.js';
import { TrainerStep } from './trainer-step.js';
import type { TrainingModule } from '../training-module.js';
import { configureModelOnce } from './configure-model.js';
import { runnableLoaders } from './empty-loaders.js';

type AnyModule = TrainingModule<never>;

/**
 * Validation and test, as Lightning's evaluation loop: runs `validationStep` or `testStep` over
 * each loader, then reads the logged epoch means once. Also runs the sanity check before
 * training, whose metrics are discarded.
 */
type EvalStepFn = (this: TrainingModule<tf.TensorContainer>, batch: tf.TensorContainer, index: number) => void;

export class EvaluationLoop {
  /** The batch being evaluated, for the step function (which a replay does not run). */
  private context: { readonly module: TrainingModule<tf.TensorContainer>; readonly step: EvalStepFn; readonly index: number } | undefined;
  /** The validation or test step: traced once and replayed where the strategy compiles steps. */
  private readonly evalStep = new TrainerStep('evaluation step', ({ batch }: { batch: tf.TensorContainer }) => {
    const { module, step, index } = this.context!;
    step.call(module, batch, index);
    return {};
  }, () => this.trainer.options.compileSteps);

  constructor(
    private readonly trainer: TrainerView,
    private readonly logging: LoggerConnector,
    private readonly callbacks: CallbackConnector,
  ) {}

  /**
   * `Trainer.validate` and `Trainer.test`: one evaluation epoch on its own, optionally from a
   * checkpoint's weights. Empty loaders are skipped with a warning (all empty: no metrics).
   */
  async evaluate<B extends tf.TensorContainer>(
    module: TrainingModule<B>,
    loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>,
    kind: 'validate' | 'test',
    options: FitOptions,
  ): Promise<Record<string, number>> {
    const trainer = this.trainer;
    const strategy = await trainer.setupStrategy();
    const list = runnableLoaders(await loadersFor(loaders, kind), kind, kind === 'test' ? 'test' : 'validation');
    module.trainer = trainer;
    trainer.module = module as unknown as AnyModule;
    trainer.stage = kind;
    try {
      configureModelOnce(module as unknown as AnyModule, strategy);
      if (options.ckptPath !== undefined) await restoreCheckpoint(trainer, options.ckptPath, { weightsOnly: true });
      const limit = kind === 'test' ? trainer.options.limitTestBatches : trainer.options.limitValBatches;
      const metrics = await this.run(strategy, module, list, kind, limit, false);
      for (const l of trainer.loggers) await l.save();
      return metrics;
    } finally {
      this.logging.evalMetrics.clear();
      module.trainer = undefined;
      trainer.stage = undefined;
    }
  }

  /** The sanity check before training: min(numSanityValSteps, limitValBatches) batches of each loader, as Lightning. */
  async sanityCheck<B extends tf.TensorContainer>(strategy: DistributionStrategy, module: TrainingModule<B>, vals: Loader<B>[]): Promise<void> {
    const trainer = this.trainer;
    const m = module as unknown as AnyModule;
    trainer.sanityChecking = true;
    await this.callbacks.each((c) => c.onSanityCheckStart?.(trainer, m));
    try {
      const sanityLimit = vals.map((v) => Math.min(trainer.options.numSanityValSteps, limitBatches('limitValBatches', trainer.options.limitValBatches, v.length)));
      await this.run(strategy, module, vals, 'validate', { kind: 'count', value: Math.min(...sanityLimit) }, true);
    } finally {
      trainer.sanityChecking = false;
    }
    await this.callbacks.each((c) => c.onSanityCheckEnd?.(trainer, m));
  }

  /**
   * Runs the step over each loader up to `limit` batches and returns the epoch means. In a
   * sanity check nothing is logged and no epoch hook runs.
   */
  async run<B extends tf.TensorContainer>(
    strategy: DistributionStrategy,
    module: TrainingModule<B>,
    loaders: Loader<B>[],
    kind: 'validate' | 'test',
    limit: ResolvedLimit,
    sanity: boolean,
  ): Promise<Record<string, number>> {
    const trainer = this.trainer;
    const logging = this.logging;
    const step = kind === 'test' ? module.testStep : module.validationStep;
    if (!step) {
      if (kind === 'test') throw new StrataError('invalid-option', 'Trainer.test() needs testStep on the module.', { fix: 'implement testStep(batch, batchIndex) and log metrics in it.' });
      return {};
    }
    const m = module as unknown as AnyModule;
    if (!sanity) {
      if (kind === 'test') {
        await this.callbacks.each((c) => c.onTestEpochStart?.(trainer, m));
        await module.onTestEpochStart?.();
      } else {
        await this.callbacks.each((c) => c.onValidationEpochStart?.(trainer, m));
        await module.onValidationEpochStart?.();
      }
    }
    logging.evalLoaderCount = loaders.length;
    const phase: Phase = sanity ? 'silent' : kind;
    for (const [loaderIndex, loader] of loaders.entries()) {
      logging.evalLoaderIndex = loaderIndex;
      const max = limitBatches(kind === 'test' ? 'limitTestBatches' : 'limitValBatches', limit, loader.length);
      for await (const [i, raw] of firstBatches(loader, max)) {
        const batch = strategy.distributeBatch(raw);
        logging.phase = phase;
        this.context = { module: module as unknown as TrainingModule<tf.TensorContainer>, step: step as EvalStepFn, index: i };
        try {
          await this.evalStep.run(strategy, { batch }, `${kind}|${phase}|${loaderIndex}|${loaders.length}`);
        } finally {
          this.context = undefined;
          logging.phase = 'silent';
        }
        tf.dispose(batch);
      }
    }
    logging.evalLoaderIndex = 0;
    if (sanity) {
      logging.evalMetrics.reset();
      logging.evalLoaderCount = 1;
      return {};
    }
    logging.phase = kind;
    try {
      await (kind === 'test' ? module.onTestEpochEnd?.() : module.onValidationEpochEnd?.());
    } finally {
      logging.phase = 'silent';
      logging.evalLoaderCount = 1;
    }
    const metrics = await logging.drain(logging.evalMetrics, strategy);
    if (kind === 'validate' && trainer.stage === 'fit') logging.lastValMetrics = { ...logging.lastValMetrics, ...metrics };
    // During fit, validation metrics go to the loggers with the epoch's line; on their own, now.
    if (trainer.stage !== 'fit') await trainer.logMetrics(metrics);
    if (kind === 'test') await this.callbacks.each((c) => c.onTestEpochEnd?.(trainer, m, metrics));
    else await this.callbacks.each((c) => c.onValidationEpochEnd?.(trainer, m, metrics));
    return metrics;
  }
}
