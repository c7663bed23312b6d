import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError, TfjsStrategy, invalidOption, type Availability, type StrategyCapabilities } from '@strata/core';
import { NATIVE_BACKEND, loadNativeEngine, loadedNativeEngine, type NativeEngine } from '@strata/native-engine';
import type { CudaHost } from '../cuda-host.js';
import { CudaProbe, type CudaCheck } from '../cuda-probe.js';
import { SystemCudaHost } from '../system-cuda-host.js';

export interface NativeCudaStrategyOptions {
  /** The GPU to train on, by index among those the driver lists (default 0). */
  readonly device?: number;
  /** Where Strata's native engines live; default `$STRATA_NATIVE_DIR` or `<project>/.strata/native`. */
  readonly nativeDir?: string;
  /** The machine facts to decide availability from; default the real system. */
  readonly host?: CudaHost;
}

/**
 * The CUDA strategy's native engine: one NVIDIA GPU through TensorFlow's CUDA kernels, with
 * tfjs-node's binding built by
 * `npx strata-native build --cuda` against the `tensorflow[and-cuda]` wheel (CUDA 12, cuDNN 9),
 * or the user's own `@tensorflow/tfjs-node-gpu`. `isAvailable()` says which of these is
 * missing (GPU, engine, libraries, CUDA, cuDNN, device) and how to fix it, without loading anything.
 *
 * @example
 * const strategy = new NativeCudaStrategy({ device: 1 });
 * const availability = await strategy.isAvailable();
 * if (!availability.available) console.error(availability.reason, availability.remedy);
 */
export class NativeCudaStrategy extends TfjsStrategy {
  readonly name = 'cuda';
  readonly priority = 80;
  private readonly device: number;
  private readonly host: CudaHost;
  private engine: { description: string; details: Record<string, string> } | undefined;

  constructor(private readonly options: NativeCudaStrategyOptions = {}) {
    super();
    const device = options.device ?? 0;
    if (!Number.isInteger(device) || device < 0) invalidOption('CudaStrategy device', device, 'a GPU index: an integer >= 0');
    this.device = device;
    this.host = options.host ?? new SystemCudaHost({ nativeDir: options.nativeDir });
  }

  async isAvailable(): Promise<Availability> {
    const check = this.check();
    if (!check.ok) return { available: false, reason: check.reason, remedy: check.remedy };
    const loaded = loadedNativeEngine();
    if (loaded && loaded.variant !== 'cuda') {
      return {
        available: false,
        reason: `the ${loaded.variant} native engine is already loaded in this process, and one process holds one TensorFlow runtime.`,
        remedy: 'run the CUDA strategy in its own process (do not set up the native CPU strategy before it).',
      };
    }
    return { available: true, engine: `${check.engine === 'strata' ? 'TensorFlow (Strata CUDA engine)' : '@tensorflow/tfjs-node-gpu'} on GPU ${check.device}: ${check.gpus[check.device]}` };
  }

  override capabilities(): StrategyCapabilities {
    return { precisions: ['32'], maxReplicas: 1, compilesSteps: false, syncReads: true };
  }

  protected backendName(): string {
    return NATIVE_BACKEND;
  }

  protected engineName(): string {
    return this.engine?.description ?? 'TensorFlow CUDA (not set up)';
  }

  protected override details(): Record<string, string> {
    return { engine: 'native', tfjs: tf.version_core, device: String(this.device), ...(this.engine?.details ?? {}) };
  }

  protected async registerBackend(): Promise<void> {
    if (this.engine) return;
    const check = this.check();
    if (!check.ok) throw new StrataError('strategy-unavailable', `Strategy 'cuda' is not available here: ${check.reason}`, { fix: check.remedy });
    selectDevice(check.device);
    let native: NativeEngine | undefined;
    if (check.engine === 'strata') {
      native = await loadNativeEngine('cuda', ...(this.options.nativeDir ? [this.options.nativeDir] : []));
    } else {
      // Resolved as the probe found it: from the application's folder.
      createRequire(join(process.cwd(), 'package.json'))('@tensorflow/tfjs-node-gpu');
    }
    // TensorFlow finds its GPU when the backend's context is made; without one it quietly
    // runs on the CPU, which must not pass for CUDA.
    const backend = tf.findBackend(NATIVE_BACKEND) as (tf.KernelBackend & { isUsingGpuDevice?: boolean }) | null;
    if (!backend?.isUsingGpuDevice) {
      throw new StrataError('strategy-unavailable', `TensorFlow loaded but placed no work on GPU ${check.device} (${check.gpus[check.device]}).`, {
        value: check.device,
        fix: "read TensorFlow's log above (set TF_CPP_MIN_LOG_LEVEL=0): usually a CUDA or cuDNN library that failed to load, or a GPU too old for this TensorFlow build.",
      });
    }
    const description = native ? native.description.replace(', cuda)', `, CUDA on GPU ${check.device}: ${check.gpus[check.device]})`) : `@tensorflow/tfjs-node-gpu on GPU ${check.device}: ${check.gpus[check.device]}`;
    this.engine = {
      description,
      details: { gpu: check.gpus[check.device], cudart: check.cudaLibrary, cudnn: check.cudnnLibrary, ...(native?.details ?? {}) },
    };
  }

  /** The probe's answer for this strategy's GPU: the engine that would run, or why not. */
  check(): CudaCheck {
    return new CudaProbe(this.host).check(this.device);
  }
}

/**
 * Makes TensorFlow see only the chosen GPU (as its GPU 0). Honours a CUDA_VISIBLE_DEVICES the
 * user already set: the index counts among the GPUs it leaves visible.
 */
function selectDevice(device: number): void {
  const visible = process.env.CUDA_VISIBLE_DEVICES?.split(',').filter(Boolean);
  if (visible && device >= visible.length) {
    throw new StrataError('invalid-option', `Invalid option CudaStrategy device: received ${device}, but CUDA_VISIBLE_DEVICES=${JSON.stringify(process.env.CUDA_VISIBLE_DEVICES)} leaves ${visible.length} GPU(s) visible.`, {
      value: device,
      fix: `pick a device from 0 to ${visible.length - 1}, or unset CUDA_VISIBLE_DEVICES.`,
    });
  }
  process.env.CUDA_VISIBLE_DEVICES = visible ? visible[device] : String(device);
}
