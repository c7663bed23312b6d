import * as tf from '@tensorflow/tfjs-core';
import type { DistributionStrategy } from '@strata/core';

/** Timed steps per strategy at most: enough for a stable median of a fast step. */
export const MAX_TIMED_STEPS = 50;

export interface StepTiming {
  /** The median time of the timed steps, in milliseconds. */
  readonly medianMs: number;
  /** Timed steps (the warm-up step is not one). */
  readonly steps: number;
}

/**
 * Times `step` on `strategy`: one `warmUp` step (compilation, allocation, first kernel runs),
 * then timed steps until `budgetMs` has passed since the warm-up began, at least one and at
 * most `MAX_TIMED_STEPS`. Each step is timed to the end of reading its loss, the point where
 * its work is surely done on every strategy. `afterWarmUp` runs between the warm-up and the
 * timed steps, outside the timing.
 */
export async function timeSteps(
  strategy: DistributionStrategy,
  steps: { readonly warmUp: () => tf.Scalar; readonly step: () => tf.Scalar },
  budgetMs: number,
  afterWarmUp: () => Promise<void> = async () => {},
): Promise<StepTiming> {
  const { warmUp, step } = steps;
  const warmUpStart = performance.now();
  await runAndRead(strategy, warmUp);
  const warmUpMs = performance.now() - warmUpStart;
  await afterWarmUp();
  const start = performance.now() - warmUpMs;
  const times: number[] = [];
  do {
    const t0 = performance.now();
    await runAndRead(strategy, step);
    times.push(performance.now() - t0);
  } while (performance.now() - start < budgetMs && times.length < MAX_TIMED_STEPS);
  return { medianMs: median(times), steps: times.length };
}

async function runAndRead(strategy: DistributionStrategy, step: () => tf.Scalar): Promise<void> {
  const loss = await strategy.runStep(step);
  try {
    await strategy.read(loss);
  } finally {
    loss.dispose();
  }
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
