import { invalidOption, type DeviceReport } from '@strata/core';
import {
  LocalXlaStrategy,
  SERVER_JAX_VERSION,
  type LocalXlaProblem,
  type LocalXlaStrategyOptions,
  type ServerPythonEnv,
  type XlaStrategyProfile,
} from '@strata/xla';
import type { CudaHost } from '../cuda-host.js';
import { NO_GPU_REASON } from '../cuda-probe.js';
import { SystemCudaHost } from '../system-cuda-host.js';

export interface CudaXlaStrategyOptions extends Omit<LocalXlaStrategyOptions, 'platform'> {
  /** 'cuda' (default): the NVIDIA GPUs; 'cpu': XLA:CPU with `hostDevices` devices, the same path without a GPU. */
  readonly platform?: 'cuda' | 'cpu';
  /** The first GPU to train on, by index among the visible ones (default 0); `devices` GPUs from there. */
  readonly device?: number;
  /** The machine facts to decide availability from; default the real system. */
  readonly host?: CudaHost;
}

/** The CUDA strategy's name, rank and wording on the XLA engine. */
export const CUDA_PROFILE: XlaStrategyProfile = {
  name: 'cuda',
  priority: 80,
  title: 'CUDA',
  className: 'CudaStrategy',
  addressEnv: 'STRATA_CUDA_ADDRESS',
  tokenEnv: 'STRATA_CUDA_TOKEN',
};

/** A GPU as CUDA numbers it: its id in CUDA_VISIBLE_DEVICES terms, and its name. */
interface VisibleGpu {
  readonly id: string;
  readonly name: string;
}

/** The jax CUDA plugin installed in `env` ('jax_cuda12_plugin', 'xla_cuda13'...), or undefined. */
export function cudaPluginOf(env: ServerPythonEnv): string | undefined {
  return env.entries.find((e) => /^jax_cuda\d+_plugin$/.test(e)) ?? env.jaxPlugins.find((p) => /^xla_cuda\d+$/.test(p));
}

/** The pip requirement of jax's CUDA plugin matching `env`'s jax. */
export function cudaPluginRequirement(env: ServerPythonEnv): string {
  return `"jax[cuda12]==${env.jaxVersion ?? SERVER_JAX_VERSION}"`;
}

/** How to install jax's CUDA plugin into `env`'s Python, matching its jax. */
export function cudaPluginInstall(env: ServerPythonEnv): string {
  return `${env.python} -m pip install ${cudaPluginRequirement(env)} (jax's CUDA plugin; "jax[cuda13]" for a CUDA 13 driver)`;
}

/**
 * The CUDA strategy's XLA engine: an XLA server of its own (a child process on 127.0.0.1)
 * on the machine's NVIDIA GPUs through jax's CUDA PJRT plugin. With `devices: N` (or -1 for
 * all) it trains data parallel over N GPUs: the batch split, parameters replicated, gradients
 * all-reduced inside the program by XLA's collectives; '16-mixed' and 'bf16-mixed' lower
 * matmuls and convolutions to 16-bit operands. With `platform: 'cpu'` the same path runs on
 * XLA:CPU devices, without any GPU.
 *
 * @example
 * const strategy = new CudaXlaStrategy({ devices: 2, precision: 'bf16-mixed' });
 */
export class CudaXlaStrategy extends LocalXlaStrategy {
  declare readonly name: 'cuda';
  private readonly host: CudaHost;
  private readonly firstGpu: number;

  constructor(options: CudaXlaStrategyOptions = {}) {
    super({ ...options, platform: options.platform ?? 'cuda' }, CUDA_PROFILE);
    const device = options.device ?? 0;
    if (!Number.isInteger(device) || device < 0) invalidOption('CudaStrategy device', device, 'a GPU index: an integer >= 0');
    this.firstGpu = device;
    this.host = options.host ?? new SystemCudaHost();
  }

  /** Why this engine cannot run here, or undefined. Cheap: reads files, starts nothing. */
  check(): LocalXlaProblem | undefined {
    return this.problem();
  }

  override describe(): DeviceReport {
    const report = super.describe();
    if (this.platform !== 'cuda') return report;
    const gpus = this.selectedGpus();
    return { ...report, details: { ...report.details, gpus: gpus.map((g) => g.name).join(', '), cudaVisibleDevices: gpus.map((g) => g.id).join(',') } };
  }

  protected override engineName(): string {
    if (this.platform !== 'cuda') return super.engineName();
    const jax = this.health?.jax_version ?? this.pythonEnv().jaxVersion ?? 'unknown';
    const gpus = this.selectedGpus().map((g) => g.name);
    const server = this.serverPid === undefined ? 'a local XLA server' : `local XLA server pid ${this.serverPid}`;
    return `XLA:GPU through jax's CUDA plugin (jax ${jax}) on ${gpus.length} GPU(s): ${gpus.join(', ')}; ${server}`;
  }

  protected override problem(): LocalXlaProblem | undefined {
    if (this.platform !== 'cuda') return super.problem();
    return this.gpuProblem() ?? this.pythonProblem() ?? this.pluginProblem() ?? this.devicesProblem();
  }

  protected override pythonEnv(): ServerPythonEnv {
    return this.host.serverPython(this.python);
  }

  protected override platformDevices(): { count: number; described: string } | undefined {
    if (this.platform !== 'cuda') return super.platformDevices();
    const visible = this.visibleGpus();
    const count = Math.max(visible.length - this.firstGpu, 0);
    const list = visible.map((g, i) => `${i}: ${g.name}`).join(', ');
    const from = this.firstGpu > 0 ? `, ${count} of them from GPU ${this.firstGpu} on` : '';
    return { count, described: `this machine has ${visible.length} NVIDIA GPU(s) visible (${list})${from}` };
  }

  /** The server sees only the GPUs it trains on (jax would otherwise take memory on every GPU). */
  protected override serverEnv(): Record<string, string> {
    if (this.platform !== 'cuda') return {};
    return { CUDA_VISIBLE_DEVICES: this.selectedGpus().map((g) => g.id).join(',') };
  }

  private gpuProblem(): LocalXlaProblem | undefined {
    const all = this.host.gpus();
    if (all.length === 0) {
      return {
        reason: NO_GPU_REASON,
        remedy: `run on a machine with an NVIDIA GPU and its driver, with jax's CUDA plugin in the XLA server's Python (pip install ${cudaPluginRequirement(this.pythonEnv())}); or train on another strategy (new Trainer({ strategy: 'cpu' }) or STRATA_STRATEGY=cpu; 'auto' skips cuda).`,
      };
    }
    const visible = this.visibleGpus();
    if (visible.length === 0) {
      return { reason: `CUDA_VISIBLE_DEVICES=${JSON.stringify(process.env.CUDA_VISIBLE_DEVICES)} hides all ${all.length} NVIDIA GPU(s).`, remedy: 'unset CUDA_VISIBLE_DEVICES, or list the GPUs to use in it.' };
    }
    if (this.firstGpu >= visible.length) {
      return {
        reason: `GPU ${this.firstGpu} was asked for; this machine has ${visible.length} visible: ${visible.map((g, i) => `${i}: ${g.name}`).join(', ')}.`,
        remedy: `pick a device from 0 to ${visible.length - 1}.`,
        kind: 'invalid-option',
        value: this.firstGpu,
      };
    }
    return undefined;
  }

  private pluginProblem(): LocalXlaProblem | undefined {
    const env = this.pythonEnv();
    if (cudaPluginOf(env) !== undefined) return undefined;
    return {
      reason: `jax's CUDA plugin is not installed in the Python environment of ${env.python}, which runs the XLA server.`,
      remedy: `${cudaPluginInstall(env)}; or point the strategy at a Python that has it (its python option, or STRATA_PYTHON).`,
    };
  }

  /** The GPUs CUDA shows this process: CUDA_VISIBLE_DEVICES' list where it is set, else all. */
  private visibleGpus(): VisibleGpu[] {
    const names = this.host.gpus();
    const setting = process.env.CUDA_VISIBLE_DEVICES;
    if (setting === undefined) return names.map((name, i) => ({ id: String(i), name }));
    const visible: VisibleGpu[] = [];
    // CUDA reads the list up to its first invalid entry; '-1' hides every GPU.
    for (const id of setting.split(',').map((s) => s.trim())) {
      if (id === '' || id === '-1') break;
      const index = /^\d+$/.test(id) ? Number(id) : undefined;
      if (index !== undefined && index >= names.length) break;
      visible.push({ id, name: index !== undefined ? names[index] : id });
    }
    return visible;
  }

  /** The visible GPUs this strategy trains on: `devices` of them from `device` on. */
  private selectedGpus(): VisibleGpu[] {
    const visible = this.visibleGpus().slice(this.firstGpu);
    return this.cores === -1 ? visible : visible.slice(0, this.cores);
  }
}
