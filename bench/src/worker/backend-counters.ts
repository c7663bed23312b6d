import type { XlaBackendStats } from '@strata/backend-tpu';
import type { DistributionStrategy } from '@strata/core';

/**
 * The lazy XLA backend's own counters (recording, lowering, upload and Execute waits,
 * compilations) of a strategy that has them (`XlaStrategy.stats()`: tpu, cuda on its XLA
 * engine), copied so that a later read does not change them; undefined for eager strategies.
 */
export function readBackendCounters(strategy: DistributionStrategy): XlaBackendStats | undefined {
  const stats = (strategy as DistributionStrategy & { stats?: () => XlaBackendStats }).stats;
  return typeof stats === 'function' ? { ...stats.call(strategy) } : undefined;
}

/** How much each counter grew from `before` to `after`. */
export function counterGrowth(before: XlaBackendStats, after: XlaBackendStats): XlaBackendStats {
  return Object.fromEntries(Object.keys(after).map((key) => [key, after[key as keyof XlaBackendStats] - before[key as keyof XlaBackendStats]])) as unknown as XlaBackendStats;
}

/** The counters of `a` and `b` added (for pooling several chunks or processes). */
export function addCounters(a: XlaBackendStats | undefined, b: XlaBackendStats): XlaBackendStats {
  if (!a) return { ...b };
  return Object.fromEntries(Object.keys(b).map((key) => [key, (a[key as keyof XlaBackendStats] ?? 0) + b[key as keyof XlaBackendStats]])) as unknown as XlaBackendStats;
}
