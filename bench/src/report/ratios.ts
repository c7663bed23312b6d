import type { Ratio, RowResult, TargetCheck } from './report-types.js';
import type { StepStats } from './stats.js';
import { runsOnHostCpu } from './derive.js';

/**
 * The step time a ratio compares: the mean of the fastest quarter of each row's steps. Noise on
 * a shared machine (other tenants, the host) only adds time, and it does not add it to every
 * engine alike, so a ratio of medians moves with the load; the fastest quarter leaves most of
 * that noise out while still averaging over many steps, and of the estimators compared on saved
 * runs it is the one whose ratios move least (bench/README.md, "How it measures").
 */
export function ratioTime(stats: StepStats): number {
  return stats.fastQuarterMs;
}

/** What `ratioTime` is, in the words the report prints. */
export const RATIO_TIME_LABEL = 'mean of the fastest quarter of its steps';

/**
 * Every strategy's step time over every peer's, per model (`ratioTime`). Absolute times drift
 * from run to run on shared machines; ratios against peers measured in the same run, interleaved,
 * are what stays comparable. The ratio is taken over the whole run, not round by round: with a
 * few steps per round, per-round ratios are noisier.
 */
export function computeRatios(rows: readonly RowResult[]): Ratio[] {
  const ratios: Ratio[] = [];
  const ok = rows.filter((r) => r.status === 'ok' && r.stats);
  for (const strategy of ok.filter((r) => r.kind === 'strategy')) {
    for (const peer of ok.filter((r) => r.kind === 'peer' && r.model === strategy.model)) {
      ratios.push({ model: strategy.model, target: strategy.target, peer: peer.target, ratio: ratioTime(strategy.stats!) / ratioTime(peer.stats!) });
    }
  }
  return ratios;
}

/**
 * A target set by another issue, on one model (`ratioTime`): strategy time <= limit x peer time,
 * or, for a 'difference' target, strategy time - peer time <= limit milliseconds.
 */
interface TargetSpec {
  readonly label: string;
  readonly model: string;
  /** Targets that stand for the strategy, first match wins. */
  readonly targets: readonly string[];
  readonly peer: string;
  /** A ratio, or milliseconds for a 'difference' target. */
  readonly limit: number;
  /** 'ratio' (the default) or 'difference': how much longer the strategy's step may be, in ms. */
  readonly measure?: 'ratio' | 'difference';
  /** The hardware the target is stated for (the native engine really native, a peer on the CPU): why a row does not qualify, or undefined. */
  readonly disqualify?: (strategy: RowResult, peer: RowResult) => string | undefined;
}

const isNative = (row: RowResult) => !(row.device?.engine ?? '').startsWith('tfjs-backend-cpu');
const where = (row: RowResult) => (row.device?.devices ?? []).join(', ');

const peerOffCpu = (peer: RowResult) => (runsOnHostCpu(peer) ? undefined : `${peer.target} ran on ${where(peer)}, and the target is against its CPU run`);
const nativeAgainstCpuPeer = (strategy: RowResult, peer: RowResult) =>
  (isNative(strategy) ? undefined : `the CPU strategy ran on ${strategy.device?.engine ?? 'another engine'}, not the native one`) ?? peerOffCpu(peer);
const bothOnCpu = (strategy: RowResult, peer: RowResult) =>
  (runsOnHostCpu(strategy) ? undefined : `the XLA server ran on ${where(strategy)}, and the target is for one on the CPU`) ?? peerOffCpu(peer);

/** The per-strategy targets of the other issues: ratios, and the host-bound MLP's difference. */
export const TARGETS: readonly TargetSpec[] = [
  { label: 'native CPU engine within 1.5x of PyTorch CPU (tiny CNN)', model: 'tiny-cnn', targets: ['cpu:native', 'cpu'], peer: 'pytorch', limit: 1.5, disqualify: nativeAgainstCpuPeer },
  { label: 'native CPU engine within 1.5x of PyTorch CPU (EfficientNet-B0)', model: 'efficientnet-b0', targets: ['cpu:native', 'cpu'], peer: 'pytorch', limit: 1.5, disqualify: nativeAgainstCpuPeer },
  { label: 'wasm within 3x of PyTorch (tiny CNN)', model: 'tiny-cnn', targets: ['wasm'], peer: 'pytorch', limit: 3 },
  { label: 'TPU strategy on a local CPU XLA server within 1.05x of jax.jit (tiny CNN)', model: 'tiny-cnn', targets: ['tpu'], peer: 'jax', limit: 1.05, disqualify: bothOnCpu },
  { label: 'TPU strategy on a local CPU XLA server within 1.02x of jax.jit (EfficientNet-B0)', model: 'efficientnet-b0', targets: ['tpu'], peer: 'jax', limit: 1.02, disqualify: bothOnCpu },
  {
    label: 'TPU strategy on a local CPU XLA server at most 1 ms a step longer than jax.jit (host-bound MLP)',
    model: 'mlp',
    targets: ['tpu'],
    peer: 'jax',
    limit: 1,
    measure: 'difference',
    disqualify: bothOnCpu,
  },
];

/**
 * Checks TARGETS against this run's rows; a target whose rows are absent or failed has no ratio,
 * nor has one whose rows ran on other hardware than it is stated for (with `notApplicable` saying why).
 */
export function checkTargets(rows: readonly RowResult[], specs: readonly TargetSpec[] = TARGETS): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const measured = (model: string, target: string) => rows.find((r) => r.model === model && r.target === target && r.status === 'ok' && r.stats);
  for (const spec of specs) {
    const peer = measured(spec.model, spec.peer);
    const candidates = spec.targets.map((t) => measured(spec.model, t)).filter((r) => r !== undefined);
    const requested = rows.some((r) => r.model === spec.model && spec.targets.includes(r.target));
    if (!requested && !peer) continue;
    const base = { label: spec.label, model: spec.model, peer: spec.peer, limit: spec.limit, ...(spec.measure === 'difference' ? { measure: 'difference' as const } : {}) };
    if (candidates.length === 0 || !peer) {
      checks.push({ ...base, target: spec.targets[0]! });
      continue;
    }
    const strategy = candidates.find((r) => spec.disqualify?.(r, peer) === undefined);
    if (!strategy) {
      checks.push({ ...base, target: candidates[0]!.target, notApplicable: spec.disqualify!(candidates[0]!, peer)! });
      continue;
    }
    const ratio = ratioTime(strategy.stats!) / ratioTime(peer.stats!);
    if (spec.measure === 'difference') {
      const differenceMs = ratioTime(strategy.stats!) - ratioTime(peer.stats!);
      checks.push({ ...base, target: strategy.target, ratio, differenceMs, met: differenceMs <= spec.limit });
    } else {
      checks.push({ ...base, target: strategy.target, ratio, met: ratio <= spec.limit });
    }
  }
  return checks;
}

/** One ratio across several runs. */
export interface RatioSpread {
  readonly model: string;
  readonly target: string;
  readonly peer: string;
  readonly ratios: readonly number[];
  /** max / min - 1: 0.08 means the runs agree within 8%. */
  readonly spread: number;
}

/**
 * How much each ratio moved across runs (only ratios every run has). The bar is a
 * spread of at most 10%.
 */
export function ratioSpread(runs: readonly (readonly Ratio[])[]): RatioSpread[] {
  return spreadAcross(runs, (r) => `${r.model}\u0000${r.target}\u0000${r.peer}`, (r) => r.ratio).map(({ item, values, spread }) => ({
    model: item.model,
    target: item.target,
    peer: item.peer,
    ratios: values,
    spread,
  }));
}

/** One row's own step time (`ratioTime`) across several runs. */
export interface TimeSpread {
  readonly model: string;
  readonly target: string;
  readonly timesMs: readonly number[];
  /** max / min - 1. */
  readonly spread: number;
}

/**
 * How much each measured row's own time moved across runs: the machine's drift. A ratio stays
 * put when its two rows drift alike and moves when they do not, which this tells apart from an
 * engine that changed.
 */
export function timeSpread(runs: readonly (readonly RowResult[])[]): TimeSpread[] {
  const measured = runs.map((rows) => rows.filter((r) => r.status === 'ok' && r.stats));
  return spreadAcross(measured, (r) => `${r.model}\u0000${r.target}`, (r) => ratioTime(r.stats!)).map(({ item, values, spread }) => ({
    model: item.model,
    target: item.target,
    timesMs: values,
    spread,
  }));
}

/** For each item of the first run that every run has (by `key`): its values in run order and their spread. */
function spreadAcross<T>(runs: readonly (readonly T[])[], key: (item: T) => string, value: (item: T) => number): { item: T; values: number[]; spread: number }[] {
  if (runs.length === 0) return [];
  const out: { item: T; values: number[]; spread: number }[] = [];
  for (const first of runs[0]!) {
    const values = runs.map((run) => run.find((r) => key(r) === key(first))).map((r) => (r === undefined ? undefined : value(r)));
    if (values.some((v) => v === undefined)) continue;
    const numbers = values as number[];
    out.push({ item: first, values: numbers, spread: Math.max(...numbers) / Math.min(...numbers) - 1 });
  }
  return out;
}
