/** Median, min and max of step times, and the mean of the fastest quarter (what ratios use). */
export interface StepStats {
  readonly n: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /**
   * The mean of the fastest quarter of the steps (at least one). Noise on a shared machine only
   * adds time to a step, so the fast steps are the ones it moves least; averaging a quarter of
   * them, rather than taking the single fastest, keeps one lucky step from deciding.
   */
  readonly fastQuarterMs: number;
}

/** The statistics of `ms`; undefined for no samples. The median of an even count is the mean of the middle two. */
export function stepStats(ms: readonly number[]): StepStats | undefined {
  if (ms.length === 0) return undefined;
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const quarter = sorted.slice(0, Math.max(1, Math.floor(sorted.length / 4)));
  const fastQuarter = quarter.reduce((a, b) => a + b, 0) / quarter.length;
  return { n: sorted.length, medianMs: median, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]!, fastQuarterMs: fastQuarter };
}
