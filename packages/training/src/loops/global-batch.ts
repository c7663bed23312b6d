import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import type { Loader } from '../loader.js';

/** How a global batch is cut for the devices at hand: micro-batches and their accumulation. */
export interface GlobalBatchPlan {
  /** Samples of one optimizer step. */
  readonly globalBatchSize: number;
  /** Devices one micro-batch is split over. */
  readonly replicas: number;
  /** Samples of one micro-batch: `globalBatchSize / accumulation`. */
  readonly microBatchSize: number;
  /** Micro-batches whose gradients make one optimizer step. */
  readonly accumulation: number;
}

/**
 * The accumulation for a global batch on `replicas` devices: the smallest a that divides
 * `globalBatchSize` with a >= ceil(globalBatchSize / (replicas * deviceBatchSize)), so that every
 * micro-batch has the same number of samples and no device holds more than `deviceBatchSize`
 * (rounded up where a split does not divide). Without `deviceBatchSize`, 1.
 *
 * @example
 * planGlobalBatch(32, 8, 2); // { microBatchSize: 16, accumulation: 2, ... }
 */
export function planGlobalBatch(globalBatchSize: number, replicas: number, deviceBatchSize?: number): GlobalBatchPlan {
  const least = deviceBatchSize === undefined ? 1 : Math.ceil(globalBatchSize / (Math.max(replicas, 1) * deviceBatchSize));
  let accumulation = Math.max(least, 1);
  while (globalBatchSize % accumulation !== 0) accumulation++;
  return { globalBatchSize, replicas, microBatchSize: globalBatchSize / accumulation, accumulation };
}

/** A loader that can give a copy of itself with another batch size (Strata's `DataLoader`). */
interface Rebatchable<B> {
  readonly batchSize: number;
  readonly sampleCount?: number;
  withBatchSize(batchSize: number): Loader<B> & { close?(): Promise<void> };
}

function rebatchable<B>(loader: Loader<B>): Rebatchable<B> | undefined {
  const l = loader as Partial<Rebatchable<B>>;
  return typeof l.withBatchSize === 'function' && typeof l.batchSize === 'number' ? (l as Rebatchable<B>) : undefined;
}

/**
 * The training loader cut into the plan's micro-batches: a `DataLoader` (or any loader with
 * `withBatchSize`) is copied with the micro-batch size unless it has it already; `owned` is
 * true for a copy, which the caller closes. Another loader is used as it is, and its batches are
 * checked as they come (`checkMicroBatch`).
 */
export function microBatchLoader<B>(loader: Loader<B>, plan: GlobalBatchPlan): { loader: Loader<B>; owned: boolean } {
  const r = rebatchable(loader);
  if (r === undefined || r.batchSize === plan.microBatchSize) return { loader, owned: false };
  return { loader: r.withBatchSize(plan.microBatchSize), owned: true };
}

/** Samples the loader yields per epoch, when it says (a `DataLoader` does). */
export function samplesPerEpoch<B>(loader: Loader<B>): number | undefined {
  const n = (loader as { sampleCount?: unknown }).sampleCount;
  return typeof n === 'number' ? n : undefined;
}

/** The rows of a batch: dimension 0 of its first tensor. */
export function batchRows(batch: tf.TensorContainer): number | undefined {
  if (batch instanceof tf.Tensor) return batch.shape[0];
  if (batch === null || typeof batch !== 'object') return undefined;
  for (const value of Object.values(batch as Record<string, tf.TensorContainer>)) {
    const rows = batchRows(value);
    if (rows !== undefined) return rows;
  }
  return undefined;
}

/**
 * A micro-batch of a loader the Trainer could not re-batch must have the plan's size (the
 * last of an epoch may be smaller): otherwise the steps would not be `globalBatchSize` samples.
 */
export function checkMicroBatch(rows: number | undefined, plan: GlobalBatchPlan, isLast: boolean): void {
  if (rows === undefined || rows === plan.microBatchSize || (isLast && rows < plan.microBatchSize)) return;
  throw new StrataError('invalid-option', `The training loader gave a batch of ${rows} samples; globalBatchSize ${plan.globalBatchSize} on ${plan.replicas} device(s) takes micro-batches of ${plan.microBatchSize} (accumulating ${plan.accumulation}).`, {
    value: rows,
    fix: `use a Strata DataLoader (the Trainer re-batches it), or make the loader yield batches of ${plan.microBatchSize} samples.`,
  });
}

/**
 * The weight of one micro-batch's mean loss in its optimizer step: its rows over the rows of
 * the whole step, so that the step's gradient is the mean over the step's samples even where
 * the epoch's last step is short. `index` is the micro-batch's index in the epoch; `samples`
 * the epoch's samples (after limits), when known: otherwise each micro-batch weighs
 * 1/accumulation, as Lightning's accumulation does.
 */
export function microBatchWeight(plan: GlobalBatchPlan, index: number, rows: number, samples: number | undefined): number {
  if (samples === undefined) return 1 / plan.accumulation;
  const start = Math.floor(index / plan.accumulation) * plan.globalBatchSize;
  const stepRows = Math.max(Math.min(plan.globalBatchSize, samples - start), rows);
  return rows / stepRows;
}
