import type { TfjsBatchNorm } from '@strata/vision/models';
import type { MallocMode } from './worker-environment.js';

/** --optimizer: 'flat' (Strata's FlatAdam, the default) or 'tfjs' (tf.train.adam). */
export type TfjsAdam = 'flat' | 'tfjs';

/** --compile-steps: 'auto' (the strategy's compiled step where it has one, as the Trainer) or 'off' (runStep every step). */
export type CompileSteps = 'auto' | 'off';

export type { TfjsBatchNorm };

/**
 * How the bench measures, each setting defined once. The command line resolves all of them
 * (`BenchOptions` adds what only the command line has), the runner reads the measurement ones
 * (`RunPlan`), a worker gets what it trains with (`WorkerConfig`), and every report records them
 * under these names (`ReportSettings`).
 */
export interface BenchSettings {
  /** Strategies, as `--strategies` names them: 'cpu', 'cpu:js', 'wasm'... */
  readonly strategies: readonly string[];
  /** Python peers: 'pytorch', 'lightning', 'jax'. */
  readonly peers: readonly string[];
  /** Models by name (`--models`). */
  readonly models: readonly string[];
  /** Examples per step (--batch-size); absent: each model's own default (`batchSizeOf`: 32 images, 64 for the MLP). */
  readonly batchSize?: number;
  /** Height and width of the images (models that take vectors ignore it). */
  readonly imageSize: number;
  /** Measured steps per row (a minimum: see `minSecondsPerTarget`). */
  readonly steps: number;
  /** Steps before measuring; the first is reported apart (compilation, kernel set-up). */
  readonly warmup: number;
  /** Steps per row per round: rounds alternate the rows, so drift hits all alike. */
  readonly chunk: number;
  /**
   * Worker processes per row, measured one after another and their steps pooled. A program's
   * speed differs from one process to the next (code and data placement, glibc malloc's
   * thresholds, which `malloc` pins), which several processes average out.
   */
  readonly processes: number;
  /** Measured time one row may take on one model (--max-seconds); slower rows run fewer steps. */
  readonly maxSecondsPerTarget: number;
  /**
   * Measured time every row gets at least, within its budget (--min-seconds): a fast row runs
   * more than `steps` steps, so that a ratio does not rest on the few steps that happened to
   * fall in a quiet moment.
   */
  readonly minSecondsPerTarget: number;
  /** A single step slower than this ends its row as timed out (--step-timeout). */
  readonly stepTimeoutSeconds: number;
  /** Adam's learning rate. */
  readonly learningRate: number;
  /** The strategies' Adam: Strata's FlatAdam, or tf.train.adam (--optimizer). */
  readonly optimizer: TfjsAdam;
  /** The strategies' training batch norm: Strata's batchNormTraining, or tfjs-layers' moments + batchNorm (--batch-norm). */
  readonly batchNorm: TfjsBatchNorm;
  /** Whether strategies that compile steps (traced once, replayed) run the bench's step compiled (--compile-steps). */
  readonly compileSteps: CompileSteps;
  /**
   * Steps a compiled step runs in one execution (--steps-per-execution, Keras's
   * steps_per_execution; `step.many`): every step's loss still reaches the host, a group at a
   * time. 1: one execution a step.
   */
  readonly stepsPerExecution: number;
  /** Threads per framework (torch, TensorFlow, XLA, llvmpipe); absent: each framework's default. */
  readonly threads?: number;
  /** glibc malloc's thresholds in every worker (see `allocatorEnvironment`). */
  readonly malloc: MallocMode;
}

/** The settings that say how each row is measured, in the order a report lists them. */
export const MEASUREMENT_KEYS = [
  'batchSize',
  'imageSize',
  'steps',
  'warmup',
  'chunk',
  'processes',
  'maxSecondsPerTarget',
  'minSecondsPerTarget',
  'stepTimeoutSeconds',
] as const satisfies readonly (keyof BenchSettings)[];

export type Measurement = Pick<BenchSettings, (typeof MEASUREMENT_KEYS)[number]>;

/** The measurement settings of `settings`, alone. */
export function measurementOf(settings: Measurement): Measurement {
  return Object.fromEntries(MEASUREMENT_KEYS.filter((key) => settings[key] !== undefined).map((key) => [key, settings[key]])) as unknown as Measurement;
}
