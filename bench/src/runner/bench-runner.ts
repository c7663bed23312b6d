import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { XlaBackendStats } from '@strata/backend-tpu';
import type { ModelSpec } from '@strata/vision/models';
import { modelInput } from '../models/model-input.js';
import { stepStats } from '../report/stats.js';
import { addCounters } from '../worker/backend-counters.js';
import type { RowResult, RowStatus } from '../report/report-types.js';
import type { BenchSettings, Measurement } from '../settings.js';
import { isPeer } from '../targets.js';
import type { WorkerConfig, WorkerDevice, WorkerMessage } from '../worker/protocol.js';
import { WorkerGone, WorkerProcess } from './worker-process.js';

/** How one model's rows are measured: the measurement settings and what the workers need. */
export interface RunPlan extends Omit<Measurement, 'batchSize'>, Pick<BenchSettings, 'learningRate' | 'optimizer' | 'batchNorm' | 'compileSteps' | 'stepsPerExecution'> {
  readonly model: ModelSpec;
  /** Examples per step for this model (`--batch-size`, or the model's own default). */
  readonly batchSize: number;
  readonly targets: readonly string[];
  readonly strategyOptions: WorkerConfig['strategyOptions'];
  /** The Python with strata_xla_server: each tpu process starts its own local server. */
  readonly xlaServerPython?: string;
  /** How to start a strategy worker: node and the bench entry with its 'worker' argument. */
  readonly nodeWorker: { readonly command: string; readonly args: readonly string[] };
  /** The peers' Python and script, or why peers are skipped. */
  readonly python: { readonly ok: true; readonly command: string; readonly script: string } | { readonly ok: false; readonly reason: string };
  readonly logDir: string;
  readonly log: (line: string) => void;
}

/** The mutable state of one row while it is measured. */
interface Live {
  readonly target: string;
  /** Which of the target's processes this is (0: the first, whose start-up is reported). */
  readonly replica: number;
  readonly worker: WorkerProcess;
  device?: WorkerDevice;
  setupMs?: number;
  firstStepMs?: number;
  warmupMs?: readonly number[];
  readonly stepsMs: number[];
  /** The round each measured step ran in (kept in the JSON, to see drift across rounds). */
  readonly stepRounds: number[];
  /** The process's CPU time during each measured step, where the worker reports it. */
  readonly stepsCpuMs: number[];
  /** XLA strategies: the backend's counters summed over the measured steps. */
  backend?: XlaBackendStats;
  loss?: number;
  note?: string;
  done: boolean;
}

const SETUP_TIMEOUT_MS = 300_000;

type FinalMessage = Extract<WorkerMessage, { type: 'final' }>;

/**
 * Measures every target on one model, in `processes` waves. In each wave every target still
 * standing runs in one fresh process, started one at a time (so first-step times are not
 * disturbed by another's start-up); then all are measured in rounds of `chunk` steps, the order
 * rotating each round; then they are asked for their memory peaks and end, before the next
 * wave starts (one process per target at a time: EfficientNet's rows take 1 to 2 GB each). A
 * target's steps are pooled over its waves. A target that fails, times out or is unavailable
 * becomes a row saying why.
 */
export async function runModel(plan: RunPlan): Promise<RowResult[]> {
  mkdirSync(plan.logDir, { recursive: true });
  const rows = new Map<string, RowResult>();
  const finished = new Map<string, Live[]>();
  const finals = new Map<string, FinalMessage[]>();
  const spent = new Map<string, number>();
  let round = 0;
  for (let replica = 0; replica < plan.processes; replica++) {
    const live = await startWave(plan, replica, rows, finished);
    round = await measureWave(plan, live, replica, round, rows, finished, spent);
    for (const row of live) {
      if (rows.has(row.target)) continue;
      row.worker.send({ cmd: 'finish' });
      try {
        const final = await expect(row.worker, 60_000, ['final']);
        if (final.type === 'final') finals.set(row.target, [...(finals.get(row.target) ?? []), final]);
      } catch {
        // Memory peaks are lost, the timings are not.
      }
      await row.worker.close(10_000);
      finished.set(row.target, [...(finished.get(row.target) ?? []), row]);
    }
  }
  for (const target of plan.targets) {
    const all = finished.get(target);
    if (rows.has(target) || all === undefined) continue;
    const result = finish(all, plan, 'ok', all.find((r) => r.note)?.note, finals.get(target));
    rows.set(target, result);
    plan.log(`${plan.model.name} / ${target}: median ${Math.round(stepStats(result.stepsMs)?.medianMs ?? 0)} ms over ${result.stepsMs.length} steps`);
  }
  return plan.targets.map((t) => rows.get(t)!).filter(Boolean);
}

/** Starts one process for every target that has no final row yet; returns those that are warm. */
async function startWave(plan: RunPlan, replica: number, rows: Map<string, RowResult>, finished: ReadonlyMap<string, Live[]>): Promise<Live[]> {
  const live: Live[] = [];
  const stepTimeout = plan.stepTimeoutSeconds * 1000;
  for (const target of plan.targets) {
    if (rows.has(target)) continue;
    const kind = isPeer(target) ? 'peer' : 'strategy';
    if (kind === 'peer' && !plan.python.ok) {
      rows.set(target, { target, kind, model: plan.model.name, status: 'skipped', reason: plan.python.reason, stepsMs: [] });
      continue;
    }
    const config: WorkerConfig = {
      target,
      model: plan.model,
      batchSize: plan.batchSize,
      imageSize: plan.imageSize,
      input: modelInput(plan.model, plan.batchSize, plan.imageSize),
      warmupSteps: plan.warmup,
      learningRate: plan.learningRate,
      optimizer: plan.optimizer,
      batchNorm: plan.batchNorm,
      compileSteps: plan.compileSteps,
      stepsPerExecution: plan.stepsPerExecution,
      strategyOptions: plan.strategyOptions,
      ...(plan.xlaServerPython ? { xlaServerPython: plan.xlaServerPython } : {}),
      slowStepMs: (plan.maxSecondsPerTarget * 1000) / 4,
    };
    const suffix = replica === 0 ? '' : `-${replica + 1}`;
    const logPath = join(plan.logDir, `${plan.model.name}-${target.replace(/[^a-z0-9-]/gi, '_')}${suffix}.log`);
    const worker =
      kind === 'peer' && plan.python.ok
        ? new WorkerProcess(plan.python.command, [plan.python.script], config, logPath)
        : new WorkerProcess(plan.nodeWorker.command, plan.nodeWorker.args, config, logPath);
    plan.log(`${plan.model.name} / ${target}${plan.processes > 1 ? ` (process ${replica + 1} of ${plan.processes})` : ''}: starting`);
    const row: Live = { target, replica, worker, stepsMs: [], stepRounds: [], stepsCpuMs: [], done: false };
    const earlier = finished.get(target) ?? [];
    try {
      const ready = await expect(worker, SETUP_TIMEOUT_MS, ['ready', 'unavailable']);
      if (ready.type === 'unavailable') {
        rows.set(target, finish([...earlier, row], plan, 'unavailable', [ready.reason, ready.remedy].filter(Boolean).join(' Remedy: ')));
        worker.kill();
        continue;
      }
      if (ready.type === 'ready') {
        row.device = ready.device;
        row.setupMs = ready.setupMs;
      }
      const warm = await expect(worker, stepTimeout * Math.max(1, plan.warmup), ['warm']);
      if (warm.type === 'warm') {
        row.firstStepMs = warm.firstStepMs;
        row.warmupMs = warm.warmupMs;
      }
      plan.log(`${plan.model.name} / ${target}: ${row.device?.engine ?? ''}, first step ${Math.round(row.firstStepMs ?? 0)} ms`);
      // A row whose first step alone is over its whole budget would only time out or starve the
      // others: its first step is its number.
      if ((row.firstStepMs ?? 0) > plan.maxSecondsPerTarget * 1000) {
        const seconds = Math.round((row.firstStepMs ?? 0) / 1000);
        rows.set(target, finish([...earlier, row], plan, 'timed-out', `the first step took ${seconds} s, over the ${plan.maxSecondsPerTarget} s budget per row (--max-seconds); not measured further`));
        worker.kill();
        continue;
      }
      live.push(row);
    } catch (error) {
      rows.set(target, failure([...earlier, row], plan, error));
      worker.kill();
    }
  }
  return live;
}

/**
 * Rounds: each live process runs up to `chunk` steps per round, in an order that rotates, until
 * it has its share of the target's steps and of its minimum time, or of its time budget (what
 * earlier waves left, split over this and the later waves). Returns the next round's number.
 */
async function measureWave(
  plan: RunPlan,
  live: readonly Live[],
  replica: number,
  firstRound: number,
  rows: Map<string, RowResult>,
  finished: ReadonlyMap<string, Live[]>,
  spent: Map<string, number>,
): Promise<number> {
  const stepTimeout = plan.stepTimeoutSeconds * 1000;
  const perProcess = Math.ceil(plan.steps / plan.processes);
  const minMsPerProcess = (Math.min(plan.minSecondsPerTarget, plan.maxSecondsPerTarget) * 1000) / plan.processes;
  const wavesLeft = plan.processes - replica;
  const waveBudget = new Map(live.map((r) => [r.target, (plan.maxSecondsPerTarget * 1000 - (spent.get(r.target) ?? 0)) / wavesLeft]));
  const waveSpent = new Map<string, number>();
  let round = firstRound;
  for (; live.some((r) => !r.done); round++) {
    const active = live.filter((r) => !r.done);
    const order = active.map((_, i) => active[(i + round) % active.length]!);
    for (const row of order) {
      const left = perProcess - row.stepsMs.length;
      const used = waveSpent.get(row.target) ?? 0;
      const estimate = row.stepsMs.length > 0 ? median(row.stepsMs) : Math.max(1, median([...(row.warmupMs ?? []), row.firstStepMs ?? 1]));
      // Its share of the steps, or more while its share of the minimum time is not spent.
      const wanted = Math.max(left, used < minMsPerProcess ? Math.ceil((minMsPerProcess - used) / Math.max(estimate, 1e-3)) : 0);
      // Always at least one measured step; then only what the time budget allows.
      const affordable = row.stepsMs.length === 0 ? 1 : Math.floor((waveBudget.get(row.target)! - used) / estimate);
      const n = Math.min(plan.chunk, wanted, Math.max(0, affordable));
      if (n <= 0) {
        if (left > 0) row.note = `${plan.maxSecondsPerTarget} s budget per target`;
        row.done = true;
        continue;
      }
      row.worker.send({ cmd: 'run', steps: n });
      try {
        const message = await expect(row.worker, stepTimeout * n, ['steps']);
        if (message.type === 'steps') {
          row.stepsMs.push(...message.ms);
          row.stepRounds.push(...message.ms.map(() => round));
          if (message.cpuMs) row.stepsCpuMs.push(...message.cpuMs);
          if (message.backend) row.backend = addCounters(row.backend, message.backend);
          row.loss = message.loss;
          const ms = message.ms.reduce((a, b) => a + b, 0);
          waveSpent.set(row.target, used + ms);
          spent.set(row.target, (spent.get(row.target) ?? 0) + ms);
        }
        if (row.stepsMs.length >= perProcess && (waveSpent.get(row.target) ?? 0) >= minMsPerProcess) row.done = true;
      } catch (error) {
        rows.set(row.target, failure([...(finished.get(row.target) ?? []), row], plan, error));
        row.worker.kill();
        row.done = true;
      }
    }
  }
  return round;
}

/** Awaits the next message, which must be one of `types` (an 'error' message is thrown). */
async function expect(worker: WorkerProcess, timeoutMs: number, types: readonly WorkerMessage['type'][]): Promise<WorkerMessage> {
  const message = await worker.next(timeoutMs);
  if (message.type === 'error') throw new Error(message.message);
  if (!types.includes(message.type)) throw new Error(`protocol: expected ${types.join(' or ')}, got ${message.type}`);
  return message;
}

function failure(all: readonly Live[], plan: RunPlan, error: unknown): RowResult {
  const timedOut = error instanceof WorkerGone && error.timedOut;
  const status: RowStatus = timedOut ? 'timed-out' : 'failed';
  const reason = timedOut ? `a step took longer than ${plan.stepTimeoutSeconds} s (--step-timeout)` : (error as Error).message;
  plan.log(`${plan.model.name} / ${all[0]!.target}: ${status}: ${reason}`);
  return finish(all, plan, status, reason);
}

/**
 * One target's row from its processes: their steps pooled in round order; start-up, device and
 * first step from the first process (the cold one: later ones may hit a compile cache); memory
 * peaks the largest of any process.
 */
function finish(all: readonly Live[], plan: RunPlan, status: RowStatus, reason?: string, finals: readonly FinalMessage[] = []): RowResult {
  const first = all[0]!;
  const steps = all.flatMap((r) => r.stepsMs.map((ms, i) => ({ ms, round: r.stepRounds[i]!, cpuMs: r.stepsCpuMs[i] })));
  steps.sort((a, b) => a.round - b.round);
  // CPU times only where every pooled step has one (a worker of an older protocol sends none).
  const cpuMs = steps.every((s) => s.cpuMs !== undefined) ? steps.map((s) => s.cpuMs!) : undefined;
  const backend = all.reduce<XlaBackendStats | undefined>((sum, r) => (r.backend ? addCounters(sum, r.backend) : sum), undefined);
  const backendSteps = all.filter((r) => r.backend).reduce((n, r) => n + r.stepsMs.length, 0);
  const peak = (pick: (f: FinalMessage) => number | undefined): number | undefined => {
    const values = finals.map(pick).filter((v): v is number => v !== undefined);
    return values.length > 0 ? Math.max(...values) : undefined;
  };
  const rss = peak((f) => f.rssPeakBytes);
  const tfjs = peak((f) => f.tfjsPeakBytes);
  const device = peak((f) => f.devicePeakBytes);
  const loss = [...all].reverse().find((r) => r.loss !== undefined)?.loss;
  const stepNote = status === 'ok' && reason ? `${steps.length} of ${plan.steps} steps: ${reason}` : reason;
  return {
    target: first.target,
    kind: isPeer(first.target) ? 'peer' : 'strategy',
    model: plan.model.name,
    status,
    ...(stepNote ? { reason: stepNote } : {}),
    ...(first.device ? { device: first.device } : {}),
    ...(first.setupMs !== undefined ? { setupMs: first.setupMs } : {}),
    ...(first.firstStepMs !== undefined ? { firstStepMs: first.firstStepMs } : {}),
    ...(first.warmupMs ? { warmupMs: first.warmupMs } : {}),
    stepsMs: steps.map((s) => s.ms),
    stepRounds: steps.map((s) => s.round),
    ...(cpuMs && steps.length > 0 ? { stepsCpuMs: cpuMs } : {}),
    ...(backend ? { backendStats: { steps: backendSteps, counters: backend } } : {}),
    ...(all.length > 1 ? { processes: all.length } : {}),
    ...(loss !== undefined ? { finalLoss: loss } : {}),
    ...(rss !== undefined ? { rssPeakBytes: rss } : {}),
    ...(tfjs !== undefined ? { tfjsPeakBytes: tfjs } : {}),
    ...(device !== undefined ? { devicePeakBytes: device } : {}),
  };
}

function median(values: readonly number[]): number {
  return stepStats(values)?.medianMs ?? 0;
}
