/** Median, min and max of step times. */
export interface StepStats {
  readonly n: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** The statistics of `ms`; undefined for no samples. The median of an even count is the mean of the middle two. */
export function stepStats(ms: readonly number[]): StepStats | undefined {
  if (ms.length === 0) return undefined;
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, medianMs: median, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]! };
}
