import { DEBIAN_PACKAGES, createDawnGpu, listDawnAdapters, loadDawn, type DawnModule } from './dawn-runtime.js';
import type { DawnBackend, WebGpuStrategyOptions } from './webgpu-options.js';

/** What `adapter.info` holds (newer than the @webgpu/types that tfjs 4.22 ships). */
export interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter?: boolean;
}

/** What a probe learned about the adapter it found: plain data, the same in a child process. */
export interface AdapterSummary {
  readonly found: true;
  readonly info: AdapterInfo;
  /** 'dawn' in Node (npm `webgpu`), 'browser' for `navigator.gpu`. */
  readonly runtime: 'dawn' | 'browser';
  /** The Dawn backend asked for; 'default' when Dawn chose. Absent in browsers. */
  readonly dawnBackend?: DawnBackend | 'default';
  /** 'core', or 'compatibility' (WebGPU on OpenGL ES / GL, as on llvmpipe). */
  readonly featureLevel: 'core' | 'compatibility';
  /** A software rasterizer (llvmpipe, lavapipe, SwiftShader): correct but slow. */
  readonly software: boolean;
}

/** An adapter that was found, with the WebGPU objects to request its device from. */
export interface FoundAdapter extends AdapterSummary {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
}

/** The plain-data part of a probe's outcome (what a child process can send back). */
export function summaryOf(result: FoundAdapter | MissingAdapter): AdapterSummary | MissingAdapter {
  if (!result.found) return { found: false, reason: result.reason, remedy: result.remedy };
  const { info, runtime, dawnBackend, featureLevel, software } = result;
  return { found: true, info, runtime, ...(dawnBackend === undefined ? {} : { dawnBackend }), featureLevel, software };
}

export interface MissingAdapter {
  readonly found: false;
  readonly reason: string;
  readonly remedy: string;
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader/i;

/**
 * Finds the adapter the options ask for: in a browser through `navigator.gpu`, in Node through
 * Dawn. Never throws: a failure says why and what to do.
 */
export async function probeAdapter(options: WebGpuStrategyOptions): Promise<FoundAdapter | MissingAdapter> {
  try {
    const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    if (!isNode()) return await probeNavigatorGpu(navigatorGpu, options);
    return await probeDawn(options);
  } catch (error) {
    return {
      found: false,
      reason: `probing WebGPU failed: ${error instanceof Error ? error.message : String(error)}`,
      remedy: 'check the WebGPU installation; the message above names the failing step.',
    };
  }
}

/** The browser path: `navigator.gpu` (given, so that it can be tested with any WebGPU implementation). */
export async function probeNavigatorGpu(gpu: GPU | undefined, options: WebGpuStrategyOptions): Promise<FoundAdapter | MissingAdapter> {
  if (gpu === undefined) {
    return {
      found: false,
      reason: 'this JavaScript environment has no navigator.gpu (WebGPU).',
      remedy: 'use a browser with WebGPU enabled (Chrome or Edge 113+, Safari 26+, Firefox 141+) on https or localhost.',
    };
  }
  if (options.backend !== undefined || (options.adapterIndex ?? 0) !== 0) {
    return {
      found: false,
      reason: `options backend (${String(options.backend)}) and adapterIndex (${String(options.adapterIndex)}) only apply in Node (Dawn): a browser picks the backend and exposes one adapter.`,
      remedy: 'leave backend and adapterIndex unset in browser builds; use powerPreference to steer the choice.',
    };
  }
  const found = await requestWithFeatureLevel(gpu, options);
  if (found === null) {
    return {
      found: false,
      reason: 'navigator.gpu.requestAdapter() returned no adapter (WebGPU is blocked or the GPU is unsupported).',
      remedy: 'enable WebGPU (chrome://flags/#enable-unsafe-webgpu) or update the GPU driver.',
    };
  }
  return describeFound(gpu, found.adapter, found.featureLevel, 'browser', undefined);
}

async function probeDawn(options: WebGpuStrategyOptions): Promise<FoundAdapter | MissingAdapter> {
  let dawn: DawnModule;
  try {
    dawn = await loadDawn();
  } catch (error) {
    return {
      found: false,
      reason: `the npm package 'webgpu' (Dawn) does not load: ${error instanceof Error ? error.message : String(error)}`,
      remedy: "run `npm install webgpu@0.6.2` with its install script allowed (the root package.json's allowScripts lists it).",
    };
  }
  // Dawn's platform default (Vulkan, Metal, D3D12) first; then OpenGL, which reaches Mesa's
  // llvmpipe through EGL headless (Dawn refuses Mesa 22's lavapipe for Vulkan).
  const backends: (DawnBackend | undefined)[] = options.backend !== undefined ? [options.backend] : [undefined, 'opengl'];
  const tried: string[] = [];
  let mostAdapters = -1;
  for (const backend of backends) {
    let adapterName: string | undefined;
    const index = options.adapterIndex;
    if (index !== undefined) {
      // Pinned by name, so that index i is the i-th adapter Dawn lists.
      const names = await listDawnAdapters(dawn, backend);
      mostAdapters = Math.max(mostAdapters, names.length);
      if (index >= names.length) {
        tried.push(`${backend ?? 'default'}: adapterIndex ${index} but ${names.length} adapter(s)${names.length ? ` (${names.join('; ')})` : ''}`);
        continue;
      }
      adapterName = names[index];
    }
    const gpu = createDawnGpu(dawn, backend, adapterName);
    let found: { adapter: GPUAdapter; featureLevel: 'core' | 'compatibility' } | null = null;
    try {
      found = await requestWithFeatureLevel(gpu, options);
    } catch (error) {
      tried.push(`${backend ?? 'default'}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      continue;
    }
    if (found !== null) return describeFound(gpu, found.adapter, found.featureLevel, 'dawn', backend ?? 'default');
    tried.push(`${backend ?? 'default'}: no adapter`);
  }
  if (mostAdapters > 0) {
    return {
      found: false,
      reason: `no WebGPU adapter at that index (${tried.join('; ')}).`,
      remedy: `use an adapterIndex below ${mostAdapters}, or leave it unset.`,
    };
  }
  return {
    found: false,
    reason: `Dawn found no WebGPU adapter (${tried.join('; ')}).`,
    remedy:
      process.platform === 'linux'
        ? `install a GPU driver, or Mesa's software one for headless use: sudo apt-get install -y ${DEBIAN_PACKAGES.join(' ')}.`
        : 'install or update the GPU driver (Metal on macOS, D3D12 on Windows).',
  };
}

/** 'core' first (all of WebGPU), then 'compatibility' (what OpenGL-class drivers give). */
async function requestWithFeatureLevel(
  gpu: GPU,
  options: WebGpuStrategyOptions,
): Promise<{ adapter: GPUAdapter; featureLevel: 'core' | 'compatibility' } | null> {
  const powerPreference = options.powerPreference ?? 'high-performance';
  for (const featureLevel of ['core', 'compatibility'] as const) {
    const adapter = await gpu.requestAdapter({ powerPreference, featureLevel } as GPURequestAdapterOptions);
    if (adapter) return { adapter, featureLevel };
  }
  return null;
}

function describeFound(
  gpu: GPU,
  adapter: GPUAdapter,
  featureLevel: 'core' | 'compatibility',
  runtime: 'dawn' | 'browser',
  dawnBackend: DawnBackend | 'default' | undefined,
): FoundAdapter {
  const raw = (adapter as GPUAdapter & { info?: AdapterInfo }).info;
  const info: AdapterInfo = {
    vendor: raw?.vendor ?? '',
    architecture: raw?.architecture ?? '',
    device: raw?.device ?? '',
    description: raw?.description ?? '',
    isFallbackAdapter: raw?.isFallbackAdapter ?? false,
  };
  const software = info.isFallbackAdapter === true || SOFTWARE.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
  return { found: true, gpu, adapter, info, runtime, dawnBackend, featureLevel, software };
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}
