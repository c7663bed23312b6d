import * as tf from '@tensorflow/tfjs-core';
import {
  StrataError,
  TfjsStrategy,
  debugLog,
  type Availability,
  type PreflightReport,
  type StrategyCapabilities,
} from '@strata/core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { probeAdapter, type AdapterSummary, type FoundAdapter, type MissingAdapter } from './adapter-probe.js';
import { installNavigatorGpu } from './dawn-runtime.js';
import { probeDawnQuietly } from './quiet-dawn-probe.js';
import { adapterLimits, limitsReport } from './device-limits.js';
import { GpuErrorMonitor } from './gpu-error-monitor.js';
import { syncReadError, syncReadKernelOf, throwKernelErrorsSynchronously } from './sync-read.js';
import { timestampQueryReport, withoutTimestampHint } from './timestamp-hint.js';
import { validateOptions, type WebGpuStrategyOptions } from './webgpu-options.js';

/** The instance whose device backs tfjs's 'webgpu' backend: tfjs has one per JS realm. */
let owner: WebGpuStrategy | undefined;

/** What one `setup()` holds until `teardown()`. */
interface GpuSession {
  readonly found: FoundAdapter;
  readonly device: GPUDevice;
  readonly monitor: GpuErrorMonitor;
  readonly factory: () => WebGPUBackend;
  readonly restoreNavigator: () => void;
  backend?: WebGPUBackend;
}

/**
 * Trains on WebGPU through tfjs-backend-webgpu: Dawn (the npm `webgpu` package) in Node,
 * `navigator.gpu` in browsers. Headless without a GPU it runs on Mesa's llvmpipe (OpenGL
 * through EGL; Debian packages libegl1 libegl-mesa0 libgl1-mesa-dri).
 *
 * The device gets every limit the adapter has (tfjs needs more than WebGPU's defaults), reads
 * are asynchronous, and any GPU error (validation, out of memory, internal, device lost) fails
 * the step or read during which it surfaced with a `StrataError` of kind 'device-error'.
 *
 * @example
 * const strategy = new WebGpuStrategy({ powerPreference: 'high-performance' });
 * const availability = await strategy.isAvailable();
 * if (!availability.available) console.error(availability.reason, availability.remedy);
 * await strategy.setup();
 * const loss = await strategy.runStep(() => optimizer.minimize(() => lossOf(batch), true)!);
 * console.log((await strategy.read(loss))[0], strategy.describe().details.device);
 * await strategy.teardown();
 */
export class WebGpuStrategy extends TfjsStrategy {
  readonly name = 'webgpu';
  private readonly options: WebGpuStrategyOptions;
  private probe: Promise<AdapterSummary | MissingAdapter> | undefined;
  private probed: AdapterSummary | MissingAdapter | undefined;
  /** What Dawn printed while probing (its warnings from native code), kept for describe(). */
  private dawnLog = '';
  private session: GpuSession | undefined;

  constructor(options: WebGpuStrategyOptions = {}) {
    super();
    this.options = validateOptions({ ...options });
  }

  /**
   * 30 (above cpu and wasm) for a hardware adapter. Once a probe has found only a software
   * rasterizer (llvmpipe: correct, but far slower than the native CPU engine), 5, so
   * that 'auto' prefers the CPU; naming 'webgpu' still uses it.
   */
  get priority(): number {
    return this.probed?.found === true && this.probed.software ? 5 : 30;
  }

  async isAvailable(): Promise<Availability> {
    const probe = await this.probeOnce();
    if (!probe.found) return { available: false, reason: probe.reason, remedy: probe.remedy };
    return { available: true, engine: engineOf(probe) };
  }

  override capabilities(): StrategyCapabilities {
    // tfjs-backend-webgpu reads synchronously only through OffscreenCanvas, which Node lacks.
    return { precisions: ['32'], maxReplicas: 1, compilesSteps: false, syncReads: false };
  }

  protected backendName(): string {
    return 'webgpu';
  }

  protected engineName(): string {
    const found = this.session?.found ?? (this.probed?.found ? this.probed : undefined);
    return found ? engineOf(found) : 'tfjs-backend-webgpu';
  }

  protected async registerBackend(): Promise<void> {
    if (this.session) return;
    if (owner !== undefined && owner !== this) {
      throw new StrataError('strategy-unavailable', "Another WebGpuStrategy is set up: tfjs has one 'webgpu' backend per JavaScript realm.", {
        value: owner.describe().devices,
        fix: 'call teardown() on the other WebGpuStrategy first, or share one instance.',
      });
    }
    // Imported before the device exists, so that nothing can fail between requesting the
    // device and handing it to the session that release() frees.
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    const found = await this.takeAdapter();
    const requiredFeatures: GPUFeatureName[] = found.adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    const requiredLimits = this.options.limits === 'default' ? {} : adapterLimits(found.adapter);
    const device = await found.adapter.requestDevice({ requiredLimits, requiredFeatures });
    const monitor = new GpuErrorMonitor(device, adapterLabel(found));
    // tfjs-backend-webgpu checks navigator.gpu when it builds a backend; Node has none.
    const restoreNavigator = found.runtime === 'dawn' ? installNavigatorGpu(found.gpu) : () => undefined;
    const session: GpuSession = {
      found,
      device,
      monitor,
      restoreNavigator,
      factory: () => {
        session.backend = withoutTimestampHint(new WebGPUBackend(device, found.info as GPUAdapterInfo));
        return session.backend;
      },
    };
    // tfjs registers 'webgpu' at import with its own adapter request (no compatibility mode,
    // default limits): replace it with this device under the same name.
    if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', session.factory, 3);
    this.session = session;
    owner = this;
  }

  override async setup(): Promise<void> {
    try {
      await super.setup();
    } catch (error) {
      this.release();
      throw error;
    }
  }

  override async teardown(): Promise<void> {
    await super.teardown();
    this.release();
  }

  override async runStep<T extends tf.TensorContainer>(step: () => T): Promise<T> {
    const session = this.session;
    if (!session) return super.runStep(step); // fails with 'not-set-up'
    try {
      return await session.monitor.capture(
        'during runStep',
        () => super.runStep(step),
        () => this.flush(session),
        (value) => tf.dispose(value),
      );
    } catch (error) {
      const kernel = syncReadKernelOf(error);
      throw kernel === undefined ? error : syncReadError(kernel, error);
    }
  }

  override async read(tensor: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
    const session = this.session;
    if (!session) return super.read(tensor);
    return session.monitor.capture('during read', () => super.read(tensor), () => undefined, () => undefined);
  }

  /**
   * Names the first kernel the probe needs that WebGPU lacks (reads are asynchronous, so a
   * missing kernel cannot run on the CPU to let the probe go on), counting as missing a kernel
   * that would need a synchronous read here; a GPU error during the probe throws.
   */
  override async preflight(probe: () => unknown): Promise<PreflightReport> {
    const session = this.session;
    if (!session) return super.preflight(probe); // fails with 'not-set-up'
    const uninstall = session.backend ? throwKernelErrorsSynchronously(session.backend) : () => undefined;
    try {
      return await session.monitor.capture('during preflight', () => super.preflight(probe), () => this.flush(session), () => undefined);
    } catch (error) {
      const kernel = syncReadKernelOf(error);
      if (kernel === undefined) throw error;
      return { strategy: this.name, kernels: [kernel], missingKernels: [kernel] };
    } finally {
      uninstall();
    }
  }

  protected override details(): Record<string, string> {
    const found = this.session?.found ?? (this.probed?.found ? this.probed : undefined);
    const details: Record<string, string> = { tfjs: tf.version_core };
    if (!found) return details;
    Object.assign(details, {
      runtime: found.runtime === 'dawn' ? 'Dawn (npm webgpu)' : 'browser navigator.gpu',
      ...(found.dawnBackend ? { dawnBackend: found.dawnBackend } : {}),
      featureLevel: found.featureLevel,
      vendor: found.info.vendor,
      architecture: found.info.architecture,
      device: found.info.device,
      description: found.info.description,
      software: String(found.software),
      limits: this.options.limits ?? 'adapter',
    });
    if (this.dawnLog !== '') details.dawnProbeLog = this.dawnLog.split('\n').filter((line) => line.trim() !== '').join(' | ');
    if (this.session) Object.assign(details, limitsReport(this.session.device), timestampQueryReport(this.session.device));
    return details;
  }

  override describe() {
    const report = super.describe();
    const found = this.session?.found ?? (this.probed?.found ? this.probed : undefined);
    return found ? { ...report, devices: [adapterLabel(found)] } : report;
  }

  /** Submits the commands tfjs has batched, so the GPU validates them inside the step's scopes. */
  private flush(session: GpuSession): void {
    const backend = session.backend;
    if (!backend || tf.findBackend('webgpu') !== backend) return;
    backend.ensureCommandEncoderReady();
    backend.endComputePassEncoder();
    backend.submitQueue();
  }

  /**
   * Probes once per instance; `isAvailable()` is cheap after the first call. In Node the probe
   * runs in a child process (`probeDawnQuietly`), so that Dawn's native warnings stay off the
   * terminal; they are kept for describe() and printed with STRATA_DEBUG=1.
   */
  private probeOnce(): Promise<AdapterSummary | MissingAdapter> {
    this.probe ??= (async () => {
      if (!isNode()) return (this.probed = await probeAdapter(this.options));
      const { outcome, dawnLog, ranIn } = await probeDawnQuietly(this.options);
      this.dawnLog = dawnLog.trim();
      const found = outcome.found ? engineOf(outcome) : `no adapter: ${outcome.reason}`;
      debugLog('webgpu probe', `ran in ${ranIn}: ${found}\nDawn printed:${this.dawnLog === '' ? ' (nothing)' : `\n${this.dawnLog}`}`);
      return (this.probed = outcome);
    })();
    return this.probe;
  }

  /**
   * A fresh adapter for a device (a WebGPU adapter gives one device), requested in this process
   * from the Dawn backend the probe found working, so that Dawn does not try the others again.
   */
  private async takeAdapter(): Promise<FoundAdapter> {
    const probed = await this.probeOnce();
    const found = probed.found ? await probeAdapter(pinnedTo(this.options, probed)) : probed;
    if (!found.found) {
      throw new StrataError('strategy-unavailable', `Strategy 'webgpu' is not available here: ${found.reason}`, {
        value: 'webgpu',
        fix: found.remedy,
      });
    }
    return found;
  }

  /** Frees the device and the tfjs backend built on it; safe to call twice. */
  private release(): void {
    const session = this.session;
    this.session = undefined;
    if (owner === this) owner = undefined;
    if (!session) return;
    session.monitor.detach();
    if (tf.findBackendFactory('webgpu') === session.factory) tf.removeBackend('webgpu');
    session.device.destroy();
    session.restoreNavigator();
  }
}

/** The options with the Dawn backend the probe found, so that setup asks that backend alone. */
function pinnedTo(options: WebGpuStrategyOptions, probed: AdapterSummary): WebGpuStrategyOptions {
  return probed.dawnBackend === undefined || probed.dawnBackend === 'default' ? options : { ...options, backend: probed.dawnBackend };
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function engineOf(found: AdapterSummary): string {
  const where = found.runtime === 'dawn' ? `Dawn ${found.dawnBackend ?? 'default'}` : 'navigator.gpu';
  const { vendor, architecture, device, description } = found.info;
  const name = device || description || [vendor, architecture].filter((s) => s !== '').join(' ') || 'unnamed adapter';
  return `tfjs-backend-webgpu (${where}, ${found.featureLevel}, ${name})`;
}

function adapterLabel(found: AdapterSummary): string {
  const { vendor, architecture, device, description } = found.info;
  return [vendor, architecture, device, description ? `(${description})` : ''].filter((s) => s !== '').join(' ') || 'an unnamed adapter';
}
