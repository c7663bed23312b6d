import type { CpuPeak } from '../machine/cpu-info.js';
import type { RowResult } from './report-types.js';
import { stepStats } from './stats.js';

/**
 * Adds the derived columns to a measured row: median/min/max, images per second, achieved
 * GFLOP/s (the model's training FLOPs per step over the median step time) and, for rows that
 * compute on this machine's CPU, the share of its peak.
 */
export function deriveRow(row: RowResult, trainFlopsPerStep: number, batchSize: number, peak: CpuPeak): RowResult {
  const stats = stepStats(row.stepsMs);
  if (!stats) return row;
  const achievedGflops = trainFlopsPerStep / (stats.medianMs / 1000) / 1e9;
  return {
    ...row,
    stats,
    imagesPerSecond: batchSize / (stats.medianMs / 1000),
    achievedGflops,
    ...(runsOnHostCpu(row) ? { peakShare: achievedGflops / peak.gflops } : {}),
  };
}

/**
 * Whether a row computes on this machine's CPU, so that the CPU peak applies: not when its device
 * report names a CUDA device, a TPU, or a hardware GPU adapter (llvmpipe and SwiftShader are CPUs).
 */
export function runsOnHostCpu(row: RowResult): boolean {
  const text = [row.device?.engine ?? '', ...(row.device?.devices ?? []), ...Object.values(row.device?.details ?? {})].join(' ');
  if (/llvmpipe|lavapipe|swiftshader/i.test(text)) return true;
  return !/\bcuda\b|nvidia|\btpu\b|\bgpu\b|rocm|metal/i.test(text);
}
