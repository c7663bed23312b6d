import type { XlaBackendStats } from '@strata/backend-tpu';
import type { CpuInfo, CpuPeak } from '../machine/cpu-info.js';
import type { BenchSettings } from '../settings.js';
import type { WorkerDevice } from '../worker/protocol.js';
import type { StepStats } from './stats.js';

/** How a row ended. */
export type RowStatus = 'ok' | 'unavailable' | 'failed' | 'timed-out' | 'skipped';

/** One strategy or peer on one model. */
export interface RowResult {
  /** 'cpu', 'cpu:js', 'wasm'... or 'pytorch', 'lightning', 'jax'. */
  readonly target: string;
  readonly kind: 'strategy' | 'peer';
  readonly model: string;
  readonly status: RowStatus;
  /** Why the row has no (or fewer) numbers; with the remedy where there is one. */
  readonly reason?: string;
  readonly device?: WorkerDevice;
  readonly setupMs?: number;
  /** The first step: compilation, kernel and memory set-up; never in the statistics. */
  readonly firstStepMs?: number;
  /** The other warm-up steps, also excluded. */
  readonly warmupMs?: readonly number[];
  /** Every measured step, in order. */
  readonly stepsMs: readonly number[];
  /** The round (of the interleaved schedule) each measured step ran in, to see drift across rounds. */
  readonly stepRounds?: readonly number[];
  /**
   * The row's process CPU time (user + system, every thread) during each measured step, in the
   * order of `stepsMs`: the host work of a step. For the tpu row the XLA server is another
   * process, so this is the Node side alone; for jax and PyTorch on the CPU it includes the
   * computation's own threads.
   */
  readonly stepsCpuMs?: readonly number[];
  /**
   * XLA strategies: the lazy backend's own counters (`strategy.stats()`) summed over `steps`
   * measured steps: recording, lowering, waiting for uploads and for Execute, uploads,
   * executions, compilations.
   */
  readonly backendStats?: { readonly steps: number; readonly counters: XlaBackendStats };
  /** Worker processes whose steps are pooled in this row (absent: one). */
  readonly processes?: number;
  readonly stats?: StepStats;
  readonly imagesPerSecond?: number;
  /** trainFlopsPerStep / median step time. */
  readonly achievedGflops?: number;
  /** achievedGflops / the machine's peak (CPU rows only: a GPU or TPU row's peak is its device's). */
  readonly peakShare?: number;
  readonly rssPeakBytes?: number;
  readonly tfjsPeakBytes?: number;
  readonly devicePeakBytes?: number;
  readonly finalLoss?: number;
}

/** A strategy's step time over a peer's (see `ratioTime`), on one model (lower is better for the strategy). */
export interface Ratio {
  readonly model: string;
  readonly target: string;
  readonly peer: string;
  readonly ratio: number;
}

/** A target another issue set, checked on this run's ratios (or, for a 'difference' target, on the difference of the two step times). */
export interface TargetCheck {
  readonly label: string;
  readonly model: string;
  readonly target: string;
  readonly peer: string;
  /** A ratio, or milliseconds for a 'difference' target. */
  readonly limit: number;
  /** 'difference': met when the strategy's step is at most `limit` ms longer than the peer's; absent: a ratio target. */
  readonly measure?: 'difference';
  /** undefined when one of the two rows has no numbers. */
  readonly ratio?: number;
  /** 'difference' targets: strategy time - peer time in ms (`ratioTime` of each). */
  readonly differenceMs?: number;
  readonly met?: boolean;
  /** Why the rows measured do not count for this target (it is stated for other hardware). */
  readonly notApplicable?: string;
}

export interface MachineInfo {
  readonly cpu: CpuInfo;
  readonly peak: CpuPeak;
  /** NVIDIA GPUs by model name (absent: none, or a report from before GPUs were listed). */
  readonly gpus?: readonly string[];
  readonly os: string;
  readonly node: string;
  readonly memoryBytes: number;
}

/** Settings that reports written before they existed lack (`ReportSettings`). */
type AddedLater = 'processes' | 'minSecondsPerTarget' | 'malloc' | 'optimizer' | 'batchNorm' | 'compileSteps' | 'stepsPerExecution';

/**
 * The settings a report records: the bench's settings (`BenchSettings`) but the learning rate.
 * A report from before a setting existed lacks it, which reads: one process per row
 * (`processes`), `--steps` only (`minSecondsPerTarget`), glibc's own thresholds (`malloc`),
 * tf.train.adam (`optimizer`), tfjs-layers' moments + batchNorm (`batchNorm`), runStep
 * every step (`compileSteps`: no strategy compiled steps then), and one execution a step
 * (`stepsPerExecution`).
 */
export type ReportSettings = Omit<BenchSettings, 'learningRate' | AddedLater> & Partial<Pick<BenchSettings, AddedLater>>;

export interface ModelFlops {
  readonly summary: string;
  /** Examples per step this model was measured with (absent in reports from before per-model batches: `settings.batchSize`). */
  readonly batchSize?: number;
  /** One example in words ('64x64x3 images', '784-feature vectors') and the loss (absent in older reports: images and sigmoid cross-entropy). */
  readonly input?: string;
  readonly loss?: string;
  readonly params: number;
  readonly forwardFlopsPerImage: number;
  readonly trainFlopsPerStep: number;
}

/** Everything one run produced: the JSON file is exactly this. */
export interface BenchReport {
  readonly tool: '@strata/bench';
  readonly formatVersion: 1;
  readonly date: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly settings: ReportSettings;
  readonly timing: string;
  readonly flopFormula: string;
  readonly models: Readonly<Record<string, ModelFlops>>;
  readonly python: { readonly ok: boolean; readonly detail: string };
  readonly rows: readonly RowResult[];
  readonly ratios: readonly Ratio[];
  readonly targets: readonly TargetCheck[];
  /** The Trainer-overhead suite's result, when it was run. */
  readonly trainerOverhead?: unknown;
}
