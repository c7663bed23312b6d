import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from './errors.js';
import { runPreflight } from './preflight.js';
import { PreviousBackend } from './previous-backend.js';
import type {
  Availability,
  DeviceReport,
  DistributionStrategy,
  Precision,
  PreflightReport,
  ReduceOp,
  StrategyCapabilities,
  StrategyName,
} from './strategy.js';

/**
 * The shared part of every strategy that runs eagerly on one local tfjs backend (cpu, wasm,
 * webgpu, cuda): it owns `setBackend` while set up, and teardown makes the backend that was
 * active before setup active again; it runs a step inside `tf.tidy`, and has one replica. A
 * backend package supplies the registration of its tfjs backend and its probe.
 */
export abstract class TfjsStrategy implements DistributionStrategy {
  abstract readonly name: StrategyName;
  abstract readonly priority: number;
  readonly numReplicas: number = 1;
  private isSetUp = false;
  private readonly previousBackend = new PreviousBackend();
  /** The precision set by the Trainer; local engines compute in float32. */
  protected precision: Precision = '32';

  /** The tfjs backend name this strategy activates. */
  protected abstract backendName(): string;
  /** Registers the tfjs backend (and any extra kernels) if it is not yet registered. */
  protected abstract registerBackend(): Promise<void>;
  /** The engine that computes, for reports: 'tfjs-backend-cpu', 'TensorFlow 2.21.0 (tfjs-node 4.22.0 binding, cpu)'... */
  protected abstract engineName(): string;

  abstract isAvailable(): Promise<Availability>;

  capabilities(): StrategyCapabilities {
    return { precisions: ['32'], maxReplicas: 1, compilesSteps: false, syncReads: true };
  }

  setPrecision(precision: Precision): void {
    const supported = this.capabilities().precisions;
    if (!supported.includes(precision)) {
      throw new StrataError('unsupported-precision', `Strategy '${this.name}' cannot train in precision ${JSON.stringify(precision)}.`, {
        value: precision,
        fix: `use one of ${supported.map((p) => JSON.stringify(p)).join(', ')} on '${this.name}', or a strategy that supports it.`,
      });
    }
    this.precision = precision;
  }

  async setup(): Promise<void> {
    if (this.isSetUp) return;
    const availability = await this.isAvailable();
    if (!availability.available) {
      throw new StrataError('strategy-unavailable', `Strategy '${this.name}' is not available here: ${availability.reason}`, {
        value: this.name,
        fix: availability.remedy,
      });
    }
    await this.registerBackend();
    this.previousBackend.remember();
    const ok = await tf.setBackend(this.backendName());
    if (!ok) {
      throw new StrataError('strategy-unavailable', `tfjs could not initialise backend '${this.backendName()}' for strategy '${this.name}'.`, {
        value: this.backendName(),
        fix: 'see the warning tfjs printed above for the cause.',
      });
    }
    await tf.ready();
    this.isSetUp = true;
  }

  async teardown(): Promise<void> {
    this.isSetUp = false;
    await this.previousBackend.restore(this.backendName());
  }

  scope<T>(fn: () => T): T {
    this.activate();
    return fn();
  }

  distributeBatch<T extends tf.TensorContainer>(batch: T): T {
    return batch;
  }

  async runStep<T extends tf.TensorContainer>(step: () => T): Promise<T> {
    this.activate();
    return tf.tidy(step);
  }

  reduce(_op: ReduceOp, value: tf.Tensor): tf.Tensor {
    // One replica: its value is already the sum and the mean.
    return value;
  }

  async read(tensor: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
    return (await tensor.data()) as Float32Array | Int32Array | Uint8Array;
  }

  describe(): DeviceReport {
    return {
      strategy: this.name,
      engine: this.engineName(),
      backend: this.backendName(),
      numReplicas: this.numReplicas,
      devices: [this.engineName()],
      details: this.details(),
    };
  }

  async preflight(probe: () => unknown): Promise<PreflightReport> {
    this.activate();
    return runPreflight(this.name, this.backendName(), probe, { syncReads: this.capabilities().syncReads });
  }

  /** Extra facts for `describe()`. */
  protected details(): Record<string, string> {
    return { tfjs: tf.version_core };
  }

  /** Fails loudly when used before `setup()`, and re-activates the backend if another strategy took it. */
  protected activate(): void {
    if (!this.isSetUp) {
      throw new StrataError('not-set-up', `Strategy '${this.name}' is used before setup().`, {
        fix: 'await strategy.setup() first (the Trainer does this in fit/validate).',
      });
    }
    if (tf.getBackend() !== this.backendName()) {
      // setBackend is synchronous for an initialised backend.
      void tf.setBackend(this.backendName());
    }
  }
}
