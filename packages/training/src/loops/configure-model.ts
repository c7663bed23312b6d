import { StrataError, type DistributionStrategy } from '@strata/core';
import type { TrainingModule } from '../training-module.js';

/** Modules whose `configureModel` has run, in any Trainer of this process. */
const configured = new WeakSet<object>();

/**
 * Runs `module.configureModel()` inside the strategy's scope, the first time any loop runs the
 * module: its layers are then made on the strategy's backend, and a second `fit`, `test` or
 * `predict` keeps the weights trained so far instead of building the model again. A module
 * whose hook threw is not marked, so the next call tries again.
 */
export function configureModelOnce(module: TrainingModule<never>, strategy: DistributionStrategy): void {
  if (configured.has(module) || !module.configureModel) return;
  const result: unknown = strategy.scope(() => module.configureModel!());
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
    throw new StrataError('invalid-option', `${module.constructor.name}.configureModel() returned a promise.`, {
      value: result,
      fix: 'make configureModel synchronous: it runs inside the strategy scope, which ends when it returns (load files before fit(), in the constructor or a DataModule).',
    });
  }
  configured.add(module);
}
