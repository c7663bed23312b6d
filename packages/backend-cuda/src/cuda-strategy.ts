import type * as tf from '@tensorflow/tfjs-core';
import {
  PRECISIONS,
  StrataError,
  invalidOption,
  quote,
  type Availability,
  type DeviceReport,
  type DistributionStrategy,
  type Precision,
  type PreflightReport,
  type ReduceOp,
  type StrategyCapabilities,
} from '@strata/core';
import { chooseCudaEngine, type CudaEngineChoice, type CudaEngineName } from './cuda-engine-choice.js';
import type { CudaHost } from './cuda-host.js';
import { NativeCudaStrategy } from './native/native-cuda-strategy.js';
import { SystemCudaHost } from './system-cuda-host.js';
import { CudaXlaStrategy } from './xla/cuda-xla-strategy.js';

export interface CudaStrategyOptions {
  /**
   * 'auto' (default): the XLA engine where jax's CUDA plugin is installed in the XLA server's
   * Python, else the native TensorFlow engine; 'xla' or 'native' to insist on one.
   */
  readonly engine?: 'auto' | CudaEngineName;
  /** 'cuda' (default): the NVIDIA GPUs. 'cpu': the XLA engine on XLA:CPU devices, to try the same path without a GPU. */
  readonly platform?: 'cuda' | 'cpu';
  /** GPUs to train on, data parallel (XLA engine): N, or -1 for all. Default 1. */
  readonly devices?: number;
  /** The GPU to train on (native), or the first of the `devices` GPUs (XLA), among the visible ones. Default 0. */
  readonly device?: number;
  /** Platform 'cpu': the XLA:CPU devices the server shows. Default `devices` (1 for -1). */
  readonly hostDevices?: number;
  /** '32' (default), '16-mixed' or 'bf16-mixed' (XLA engine); the Trainer sets it from its own option. */
  readonly precision?: Precision;
  /** The Python that runs the XLA server (with jax, its CUDA plugin and strata-xla-server). Default STRATA_PYTHON, else python3. */
  readonly python?: string;
  /** How long the XLA server may take to start, in ms (default 90 s). */
  readonly startTimeoutMs?: number;
  /** The XLA session's device memory quota in bytes; 0 or absent: no limit. */
  readonly memoryQuotaBytes?: number;
  /** Where Strata's native engines live (native engine); default `$STRATA_NATIVE_DIR` or `<project>/.strata/native`. */
  readonly nativeDir?: string;
  /** The machine facts to decide availability from; default the real system. */
  readonly host?: CudaHost;
}

const ENGINES = ['auto', 'xla', 'native'] as const;
const PLATFORMS = ['cuda', 'cpu'] as const;

/**
 * Trains on NVIDIA GPUs, on one of two engines:
 * - XLA (preferred): an XLA server of its own, started as a child process on 127.0.0.1, on the
 *   GPUs through jax's CUDA plugin; `devices: N` (or -1) trains data parallel over N GPUs,
 *   and '16-mixed' / 'bf16-mixed' are available. The server stops at `teardown()` and dies
 *   with this process.
 * - native: tfjs-node's binding built against a CUDA TensorFlow (or tfjs-node-gpu), one GPU, f32.
 *
 * `isAvailable()` answers at once, starting nothing: the engine that would run, or what is
 * missing (GPU, jax's CUDA plugin, the native engine...) and how to fix it. `describe()`
 * names the engine that ran.
 *
 * @example
 * const trainer = new Trainer({ strategy: new CudaStrategy({ devices: 2 }), precision: 'bf16-mixed' });
 * // Without a GPU, the same path on 4 XLA:CPU devices:
 * const cpu = new CudaStrategy({ platform: 'cpu', devices: 4 });
 */
export class CudaStrategy implements DistributionStrategy {
  readonly name = 'cuda';
  readonly priority = 80;
  private readonly xla: CudaXlaStrategy;
  private readonly native: NativeCudaStrategy;
  private readonly host: CudaHost;
  private readonly engine: 'auto' | CudaEngineName;
  private readonly platform: 'cuda' | 'cpu';
  private readonly devices: number;
  private precision: Precision;
  private choice: CudaEngineChoice | undefined;

  constructor(options: CudaStrategyOptions = {}) {
    this.engine = options.engine ?? 'auto';
    if (!ENGINES.includes(this.engine)) invalidOption('CudaStrategy engine', this.engine, ENGINES.map((e) => quote(e)).join(', '));
    this.platform = options.platform ?? 'cuda';
    if (!PLATFORMS.includes(this.platform)) invalidOption('CudaStrategy platform', this.platform, PLATFORMS.map((p) => quote(p)).join(', '));
    if (this.platform === 'cpu' && this.engine === 'native') invalidOption('CudaStrategy engine', this.engine, "'xla' or 'auto' with platform 'cpu' (the native engine runs only on GPUs)");
    this.devices = options.devices ?? 1;
    if (!Number.isInteger(this.devices) || (this.devices < 1 && this.devices !== -1)) invalidOption('CudaStrategy devices', this.devices, 'a positive integer (GPUs to train on), or -1 for all');
    this.precision = options.precision ?? '32';
    if (!PRECISIONS.includes(this.precision)) invalidOption('CudaStrategy precision', this.precision, PRECISIONS.map((p) => quote(p)).join(', '));
    this.host = options.host ?? new SystemCudaHost({ nativeDir: options.nativeDir });
    this.native = new NativeCudaStrategy({ device: options.device, nativeDir: options.nativeDir, host: this.host });
    this.xla = new CudaXlaStrategy({ ...options, platform: this.platform, devices: this.devices, precision: this.precision, host: this.host });
  }

  /** The engine that runs (or would): 'xla' or 'native'; undefined where neither can run here. */
  engineName(): CudaEngineName | undefined {
    return this.choose().engine;
  }

  get numReplicas(): number {
    return this.current().numReplicas;
  }

  capabilities(): StrategyCapabilities {
    return this.current().capabilities();
  }

  setPrecision(precision: Precision): void {
    const supported = this.capabilities().precisions;
    if (!supported.includes(precision)) {
      throw new StrataError('unsupported-precision', `The CUDA strategy's native engine cannot train in precision ${quote(precision)}: it trains in "32".`, {
        value: precision,
        fix: `install jax's CUDA plugin for the XLA engine, which trains in '16-mixed' and 'bf16-mixed' too, or use precision '32'.`,
      });
    }
    this.precision = precision;
    this.xla.setPrecision(precision);
    // The native engine's choice depended on the precision.
    if (this.choice?.engine === undefined) this.choice = undefined;
  }

  getPrecision(): Precision {
    return this.precision;
  }

  async isAvailable(): Promise<Availability> {
    const choice = this.choose();
    if (choice.engine === undefined) return { available: false, reason: choice.reason, remedy: choice.remedy };
    return choice.strategy.isAvailable();
  }

  async setup(): Promise<void> {
    const choice = this.choose();
    if (choice.engine === undefined) {
      throw new StrataError(choice.kind, `Strategy 'cuda' is not available here: ${choice.reason}`, { value: choice.value ?? this.name, fix: choice.remedy });
    }
    await choice.strategy.setup();
  }

  async teardown(): Promise<void> {
    const choice = this.choice;
    if (choice?.engine !== undefined) await choice.strategy.teardown();
  }

  scope<T>(fn: () => T): T {
    return this.current().scope(fn);
  }

  distributeBatch<T extends tf.TensorContainer>(batch: T): T {
    return this.current().distributeBatch(batch);
  }

  runStep<T extends tf.TensorContainer>(step: () => T): Promise<T> {
    return this.current().runStep(step);
  }

  reduce(op: ReduceOp, value: tf.Tensor): tf.Tensor {
    return this.current().reduce(op, value);
  }

  read(tensor: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
    return this.current().read(tensor);
  }

  describe(): DeviceReport {
    return this.current().describe();
  }

  preflight(probe: () => unknown): Promise<PreflightReport> {
    return this.current().preflight(probe);
  }

  /** The XLA engine's strategy, for its counters and server facts (`stats()`, `serverPid`, `serverLog`). */
  xlaEngine(): CudaXlaStrategy {
    return this.xla;
  }

  /** The engine chosen, once: both probes are cheap, and the choice must not change under a running strategy. */
  private choose(): CudaEngineChoice {
    this.choice ??= chooseCudaEngine({
      engine: this.engine,
      platform: this.platform,
      devices: this.devices,
      precision: this.precision,
      xla: this.xla,
      native: this.native,
      gpus: this.platform === 'cuda' ? this.host.gpus() : [],
    });
    return this.choice;
  }

  /** The engine that runs, or where none can, the one whose capabilities and errors stand for the strategy. */
  private current(): DistributionStrategy {
    const choice = this.choose();
    if (choice.engine !== undefined) return choice.strategy;
    return choice.preferred === 'xla' ? this.xla : this.native;
  }
}
