/**
 * The line protocol between the bench and each worker process (a tfjs strategy, or a Python
 * peer in bench/python/peer_worker.py, which speaks the same one). The worker prints one JSON
 * message per line on stdout, prefixed with MESSAGE_PREFIX so that whatever a library prints
 * cannot be mistaken for one; the bench sends one command per line on stdin.
 */
import type { XlaBackendStats } from '@strata/backend-tpu';
import type { ModelSpec } from '@strata/vision/models';
import type { ModelInput } from '../models/model-input.js';
import type { BenchSettings } from '../settings.js';

export const MESSAGE_PREFIX = '@@strata-bench ';

/** What a worker runs. Passed as JSON in the environment variable WORKER_CONFIG_ENV. */
export interface WorkerConfig extends Pick<BenchSettings, 'imageSize' | 'learningRate' | 'optimizer' | 'batchNorm' | 'compileSteps' | 'stepsPerExecution'> {
  /** 'cpu', 'cpu:js', 'wasm'... for strategies; 'pytorch', 'lightning', 'jax' for peers. */
  readonly target: string;
  readonly model: ModelSpec;
  /** Examples per step for this model (`--batch-size`, or the model's own default). */
  readonly batchSize: number;
  /** The batch's shape and the head's classes (`modelInput`): every row builds its batch and loss from it. */
  readonly input: ModelInput;
  /** Steps run before measuring (`BenchSettings.warmup`, under the name the Python peers read). */
  readonly warmupSteps: number;
  /** Per-strategy options for `createStrataContainer` (e.g. the XLA server's address). */
  readonly strategyOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** For 'tpu' without an address: the Python that runs this worker's own local XLA server. */
  readonly xlaServerPython?: string;
  /** Stop warming up early once a warm-up step after the first (which pays set-up) took longer than this. */
  readonly slowStepMs: number;
}

export const WORKER_CONFIG_ENV = 'STRATA_BENCH_WORKER_CONFIG';

/** The device report of a row: a strategy's `describe()`, or what a peer says of itself. */
export interface WorkerDevice {
  readonly engine: string;
  readonly devices: readonly string[];
  readonly details: Readonly<Record<string, string>>;
}

export type WorkerMessage =
  | { readonly type: 'ready'; readonly setupMs: number; readonly device: WorkerDevice }
  | { readonly type: 'unavailable'; readonly reason: string; readonly remedy?: string }
  | { readonly type: 'warm'; readonly firstStepMs: number; readonly warmupMs: readonly number[] }
  | {
      readonly type: 'steps';
      readonly ms: readonly number[];
      readonly loss: number;
      /** The worker process's CPU time (user + system, all its threads) during each step, beside `ms`. */
      readonly cpuMs?: readonly number[];
      /** XLA strategies: how much the backend's own counters (`strategy.stats()`) grew over these steps. */
      readonly backend?: XlaBackendStats;
    }
  | {
      readonly type: 'final';
      /** Peak resident set size of the worker process. */
      readonly rssPeakBytes: number;
      /** Largest tfjs `memory().numBytes` seen (after the forward pass or the update); absent for peers. */
      readonly tfjsPeakBytes?: number;
      /** Peak device memory where the framework reports one (CUDA). */
      readonly devicePeakBytes?: number;
    }
  | { readonly type: 'error'; readonly message: string };

export type WorkerCommand = { readonly cmd: 'run'; readonly steps: number } | { readonly cmd: 'finish' };

/** Parses one stdout line; undefined when it is not a message (library output). */
export function parseWorkerLine(line: string): WorkerMessage | undefined {
  if (!line.startsWith(MESSAGE_PREFIX)) return undefined;
  try {
    const message = JSON.parse(line.slice(MESSAGE_PREFIX.length)) as WorkerMessage;
    return typeof message === 'object' && message !== null && typeof message.type === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
