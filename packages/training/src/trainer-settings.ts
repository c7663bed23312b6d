import type { DistributionStrategy, Precision } from '@strata/core';
import type { ResolvedFastestOptions } from './connectors/fastest/fastest-options.js';

// The resolved Trainer options that are plain settings (no callbacks, no loggers). Callbacks
// and modules read them through `trainer.options`; keeping them apart from the option types
// that hold callbacks lets those views exist without an import circle.

/** A resolved batch limit: all, a count, or a fraction of the loader's length. */
export type ResolvedLimit = { readonly kind: 'all' } | { readonly kind: 'count'; readonly value: number } | { readonly kind: 'fraction'; readonly value: number };

/** Every resolved Trainer option except the callbacks and the loggers. */
export interface TrainerSettings {
  readonly strategy: DistributionStrategy | string | undefined;
  readonly devices: number | undefined;
  /** How `strategy: 'fastest'` measures and caches its pick. */
  readonly fastest: ResolvedFastestOptions;
  readonly maxEpochs: number;
  readonly minEpochs: number;
  /** -1: no limit. */
  readonly maxSteps: number;
  readonly numSanityValSteps: number;
  readonly limitTrainBatches: ResolvedLimit;
  readonly limitValBatches: ResolvedLimit;
  readonly limitTestBatches: ResolvedLimit;
  readonly limitPredictBatches: ResolvedLimit;
  /** 0 when off, else the batches per loop. */
  readonly fastDevRun: number;
  readonly overfitBatches: ResolvedLimit | undefined;
  /** Validation inside the epoch: every n batches, or a fraction of the epoch; undefined: at epoch end. */
  readonly valCheckInterval: ResolvedLimit | undefined;
  readonly checkValEveryNEpoch: number;
  /** Accumulation by epoch: the factor of epoch e is the entry with the largest key <= e. */
  readonly accumulateGradBatches: number;
  readonly accumulationSchedule: Readonly<Record<number, number>> | undefined;
  /** Samples per optimizer step whatever the device count; undefined: the loader's batch times `accumulateGradBatches`. */
  readonly globalBatchSize: number | undefined;
  /** With `globalBatchSize`: the most samples one device holds in one micro-batch; undefined: no limit. */
  readonly deviceBatchSize: number | undefined;
  readonly gradientClipVal: number | undefined;
  readonly gradientClipAlgorithm: 'norm' | 'value';
  readonly precision: Precision;
  readonly deterministic: boolean;
  readonly defaultRootDir: string | undefined;
  readonly enableCheckpointing: boolean;
  readonly enableProgressBar: boolean;
  readonly logEveryNSteps: number;
  readonly preflight: boolean;
  readonly stopOnNonFiniteLoss: boolean;
  /** Trace steps once and replay them on strategies that compile steps. */
  readonly compileSteps: boolean;
}
