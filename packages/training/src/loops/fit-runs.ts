import type { DistributionStrategy } from '@strata/core';
import type { Callback, TrainerView } from '../callback.js';
import type { LoggerConnector } from '../connectors/logger-connector.js';
import type { LoggedMetricsState } from '../logged-metrics.js';
import { resolveOptimizers } from '../optim/optimizer-config.js';
import type { TrainingModule } from '../training-module.js';
import type { TrainingEpochLoop } from './training-epoch-loop.js';

/**
 * What one Trainer keeps from one `fit` to the next. A `fit` with the module of the current run
 * continues that run: its epoch and step counters, its optimizer and its schedulers, and, after a
 * stop request cut an epoch short, that epoch from its next batch. A `fit` with another module
 * starts a new run: the previous optimizer is disposed, the counters, history and metrics are
 * reset, the callbacks and the precision plugin get back the state they had when the first run
 * started (so state set before the first `fit` holds for every run), and the module's
 * `configureOptimizers` runs.
 */
export class FitRuns {
  /** The module of the current run. */
  private module: object | undefined;
  /** The callbacks' and the precision plugin's state when the first run started. */
  private fresh: { callbacks: ReadonlyMap<Callback, unknown>; precision: Record<string, unknown> } | undefined;
  /** Where a stop request left the current epoch: its batches done and the running sums of its metrics. */
  private unfinished: { batches: number; metrics: LoggedMetricsState } | undefined;

  constructor(
    private readonly trainer: TrainerView,
    private readonly logging: LoggerConnector,
    private readonly epochLoop: TrainingEpochLoop,
  ) {}

  /** True when `module` is the module of the current run, so `fit` continues it. */
  continues(module: TrainingModule<never>): boolean {
    return this.module === module && this.trainer.optimizer !== undefined;
  }

  /** Why the current run has nothing left to train, or undefined when it has. */
  finishedBecause(): string | undefined {
    const { currentEpoch, globalStep, options } = this.trainer;
    if (currentEpoch >= options.maxEpochs) return `maxEpochs=${options.maxEpochs} epochs`;
    if (this.epochLoop.maxStepsReached()) return `maxSteps=${options.maxSteps} steps (at step ${globalStep})`;
    return undefined;
  }

  /** Continues the current run: the metrics of a failed epoch are dropped; an epoch a stop request cut short resumes after its last batch. */
  continueRun(): void {
    this.clearMetrics();
    if (this.unfinished) {
      this.epochLoop.resumeBatches = this.unfinished.batches;
      this.logging.trainMetrics.loadStateDict(this.unfinished.metrics);
    }
    this.unfinished = undefined;
  }

  /** Starts a new run for `module` (see the class comment); its optimizer is made inside the strategy's scope. */
  startRun(module: TrainingModule<never>, strategy: DistributionStrategy): void {
    if (this.fresh === undefined) this.fresh = this.snapshot();
    else this.reset(this.fresh);
    const trainer = this.trainer;
    const resolved = resolveOptimizers(strategy.scope(() => module.configureOptimizers()));
    trainer.optimizer = resolved.optimizer;
    trainer.lrSchedulers = resolved.schedulers;
    this.module = module;
  }

  /** Records where an epoch cut short by a stop request stopped, for the next `fit` of this run. */
  noteUnfinishedEpoch(batches: number, metrics: LoggedMetricsState | undefined): void {
    this.unfinished = metrics === undefined ? undefined : { batches, metrics };
  }

  private snapshot(): NonNullable<FitRuns['fresh']> {
    const stateful = this.trainer.callbacks.filter((c) => c.stateDict && c.loadStateDict);
    return {
      callbacks: new Map(stateful.map((c) => [c, structuredClone(c.stateDict!())])),
      precision: structuredClone(this.trainer.precisionPlugin.stateDict()),
    };
  }

  /** Ends the previous run: its optimizer disposed, the Trainer's run state as before the first run. */
  private reset(fresh: NonNullable<FitRuns['fresh']>): void {
    const trainer = this.trainer;
    trainer.optimizer?.dispose();
    trainer.optimizer = undefined;
    trainer.lrSchedulers = [];
    this.module = undefined;
    this.unfinished = undefined;
    trainer.currentEpoch = 0;
    trainer.globalStep = 0;
    trainer.history.splice(0, trainer.history.length);
    trainer.callbackMetrics = {};
    trainer.progBarNames.clear();
    trainer.accumulateGradBatches = trainer.options.accumulateGradBatches;
    trainer.globalBatchSize = trainer.options.globalBatchSize;
    trainer.numTrainingBatches = Infinity;
    trainer.batchesDone = 0;
    this.epochLoop.resumeBatches = 0;
    this.epochLoop.epochCompleted = false;
    this.epochLoop.interruptedTrainMetrics = undefined;
    this.clearMetrics();
    for (const [callback, state] of fresh.callbacks) callback.loadStateDict!(structuredClone(state));
    trainer.precisionPlugin.loadStateDict(structuredClone(fresh.precision));
  }

  private clearMetrics(): void {
    this.logging.trainMetrics.clear();
    this.logging.evalMetrics.clear();
    this.logging.lastValMetrics = {};
  }
}
