import type { DawnBackend } from './webgpu-options.js';

/** The part of the npm `webgpu` package (Dawn's Node binding) that Strata uses. */
export interface DawnModule {
  create(options: string[]): GPU;
  readonly globals: Record<string, unknown>;
}

/** The remedy printed wherever Dawn finds no adapter on Linux. */
export const DEBIAN_PACKAGES = ['libegl1', 'libegl-mesa0', 'libgl1-mesa-dri'] as const;

let loading: Promise<DawnModule> | undefined;

/**
 * Loads Dawn lazily (importing this package must never fail where Dawn is absent) and puts
 * WebGPU's constants (`GPUBufferUsage`, `GPUMapMode`...) on `globalThis`, where
 * tfjs-backend-webgpu expects them. Rejects when the package or its native binary is missing.
 */
export function loadDawn(): Promise<DawnModule> {
  loading ??= (async () => {
    // A variable specifier keeps browser bundlers from pulling the native module in.
    const specifier = 'webgpu';
    const dawn = (await import(/* @vite-ignore */ specifier)) as DawnModule;
    for (const [key, value] of Object.entries(dawn.globals)) {
      if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
    }
    return dawn;
  })();
  // A failed load may be fixed (package installed) later in the same process: do not cache it.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * A Dawn instance for one backend (or Dawn's platform default), optionally pinned to one
 * adapter by name. Mesa's EGL needs `EGL_PLATFORM=surfaceless` to work without a display.
 */
export function createDawnGpu(dawn: DawnModule, backend: DawnBackend | undefined, adapterName?: string): GPU {
  if ((backend === 'opengl' || backend === 'opengles') && process.env.EGL_PLATFORM === undefined) {
    process.env.EGL_PLATFORM = 'surfaceless';
  }
  const flags: string[] = [];
  if (backend !== undefined) flags.push(`backend=${backend}`);
  if (adapterName !== undefined) flags.push(`adapter=${adapterName}`);
  return dawn.create(flags);
}

/**
 * The adapters Dawn offers for a backend, in its order. WebGPU has no enumeration API; Dawn
 * lists them in the error it gives for an adapter name that does not exist.
 */
export async function listDawnAdapters(dawn: DawnModule, backend: DawnBackend | undefined): Promise<string[]> {
  const gpu = createDawnGpu(dawn, backend, '\u0000strata-list-adapters');
  try {
    await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    return [];
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return [...text.matchAll(/^\s*\* backend: '[^']*', name: '(.*)'\s*$/gm)].map((m) => m[1]);
  }
}

/**
 * Makes `navigator.gpu` the given GPU, which tfjs-backend-webgpu checks before it creates a
 * backend. Node 20 has no `navigator`; Node 21+ has one without `gpu`. Returns an undo function.
 */
export function installNavigatorGpu(gpu: GPU): () => void {
  const global = globalThis as { navigator?: { gpu?: GPU } };
  if (global.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    return () => {
      delete (globalThis as { navigator?: unknown }).navigator;
    };
  }
  const navigator = global.navigator;
  const previous = Object.getOwnPropertyDescriptor(navigator, 'gpu');
  Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  return () => {
    if (previous) Object.defineProperty(navigator, 'gpu', previous);
    else delete navigator.gpu;
  };
}
