import type { DistributionStrategy, Precision } from '@strata/core';
import type { MeasuredStrategy } from './fastest-report.js';

/** A strategy that can train here, in the Trainer's precision and device count, with the engine its probe named. */
export interface Candidate {
  readonly strategy: DistributionStrategy;
  readonly engine: string;
}

/**
 * Probes every registered strategy and keeps those that can run this training: available,
 * declaring the precision, with the devices asked for. The others come back as rows saying why,
 * for the table. Candidates are in 'auto' order (priority, then name).
 */
export async function fastestCandidates(
  registered: readonly DistributionStrategy[],
  precision: Precision,
  devices: number | undefined,
): Promise<{ candidates: Candidate[]; skipped: MeasuredStrategy[] }> {
  const candidates: Candidate[] = [];
  const skipped: MeasuredStrategy[] = [];
  for (const strategy of registered) {
    const availability = await strategy.isAvailable();
    if (!availability.available) {
      skipped.push({ strategy: strategy.name, skipped: `unavailable: ${availability.reason}` });
      continue;
    }
    const capabilities = strategy.capabilities();
    if (!capabilities.precisions.includes(precision)) {
      skipped.push({ strategy: strategy.name, skipped: `cannot train in precision "${precision}" (it declares ${capabilities.precisions.map((p) => `"${p}"`).join(', ')})` });
    } else if (devices !== undefined && devices !== -1 && devices > capabilities.maxReplicas) {
      skipped.push({ strategy: strategy.name, skipped: `runs on ${capabilities.maxReplicas} device(s), devices: ${devices} was asked for` });
    } else {
      candidates.push({ strategy, engine: availability.engine });
    }
  }
  // A probe may refine a priority, so the order is taken after probing.
  candidates.sort((a, b) => b.strategy.priority - a.strategy.priority || a.strategy.name.localeCompare(b.strategy.name));
  return { candidates, skipped };
}
