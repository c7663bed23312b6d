import { ms, percent } from './format.js';
import type { RowResult } from './report-types.js';

/** One row's host time per step: wall and process CPU time, and the XLA backend's own counters. */
export interface HostTime {
  readonly model: string;
  readonly target: string;
  /** Mean wall time of the measured steps. */
  readonly wallMs: number;
  /** Mean process CPU time of the same steps. */
  readonly cpuMs: number;
  /** XLA strategies: the backend's counters per measured step (compilations: over all of them). */
  readonly backend?: {
    readonly recordMs: number;
    readonly lowerMs: number;
    readonly uploadMs: number;
    readonly executeMs: number;
    readonly uploads: number;
    readonly fetches: number;
    readonly executions: number;
    readonly compilations: number;
    /** Compiled steps: times the step's JavaScript ran to record it, and times its program ran without it (absent before compiled steps existed). */
    readonly traces?: number;
    readonly replays?: number;
  };
}

/** The host time of every row that reports its CPU time per step (rows of older reports have none). */
export function hostTimes(rows: readonly RowResult[]): HostTime[] {
  const out: HostTime[] = [];
  for (const row of rows) {
    if (!row.stepsCpuMs || row.stepsCpuMs.length === 0 || row.stepsMs.length === 0) continue;
    const stats = row.backendStats;
    const per = (value: number) => value / stats!.steps;
    const compiled = stats?.counters as Partial<Record<'traces' | 'replays', number>> | undefined;
    out.push({
      model: row.model,
      target: row.target,
      wallMs: mean(row.stepsMs),
      cpuMs: mean(row.stepsCpuMs),
      ...(stats && stats.steps > 0
        ? {
            backend: {
              recordMs: per(stats.counters.recordMs),
              lowerMs: per(stats.counters.lowerMs),
              uploadMs: per(stats.counters.uploadMs),
              executeMs: per(stats.counters.executeMs),
              uploads: per(stats.counters.uploads),
              fetches: per(stats.counters.fetches),
              executions: per(stats.counters.executions),
              compilations: stats.counters.compilations,
              ...(compiled?.traces !== undefined ? { traces: compiled.traces } : {}),
              ...(compiled?.replays !== undefined ? { replays: compiled.replays } : {}),
            },
          }
        : {}),
    });
  }
  return out;
}

/**
 * The host-time table in Markdown (no lines when no row has CPU times): per row the mean wall
 * and CPU time of a step, and for XLA strategies where the Node side's step goes.
 */
export function renderHostTime(rows: readonly RowResult[], label: (row: RowResult) => string): string[] {
  const times = hostTimes(rows);
  if (times.length === 0) return [];
  const lines = [
    'Host time per step (means over the measured steps): wall time; CPU time of the row\'s process (user + system, all its threads: for jax and PyTorch on the CPU ' +
      "that includes the computation itself, for the tpu row it is the Node side alone, the XLA server being another process); for XLA strategies the backend's own " +
      'counters (strategy.stats()): recording the step, lowering it, waiting for uploads and for Execute, and the uploads, fetches and executions per step, ' +
      'with the compilations, and the traces and replays of compiled steps, during all measured steps.',
    '',
    '| model | strategy / peer | wall ms | CPU ms | CPU / wall | record ms | lower ms | upload wait ms | Execute wait ms | uploads | fetches | executions | compilations | traces | replays |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const time of times) {
    const row = rows.find((r) => r.model === time.model && r.target === time.target)!;
    const b = time.backend;
    const backend = b
      ? [ms(b.recordMs), ms(b.lowerMs), ms(b.uploadMs), ms(b.executeMs), count(b.uploads), count(b.fetches), count(b.executions), String(b.compilations), total(b.traces), total(b.replays)]
      : ['', '', '', '', '', '', '', '', '', ''];
    lines.push(`| ${[time.model, label(row), ms(time.wallMs), ms(time.cpuMs), percent(time.cpuMs / time.wallMs), ...backend].join(' | ')} |`);
  }
  lines.push('');
  return lines;
}

function total(value: number | undefined): string {
  return value === undefined ? '—' : String(value);
}

function count(perStep: number): string {
  return Number.isInteger(perStep) ? String(perStep) : perStep.toFixed(2);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
