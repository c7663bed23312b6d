import { registerBackend, type BackendLoader } from '@strata/core';

// Every strategy Strata ships, each with a literal import so that bundlers follow it, and the
// strategy name its DI module binds, declared so that an unknown name fails before any backend
// loads. A backend is loaded when a container is made (createStrata, a Trainer given a strategy
// name), and one that fails to load is reported there without stopping the others.
const BACKENDS = {
  '@strata/backend-cpu': { strategy: 'cpu', load: () => import('@strata/backend-cpu') },
  '@strata/backend-wasm': { strategy: 'wasm', load: () => import('@strata/backend-wasm') },
  '@strata/backend-webgpu': { strategy: 'webgpu', load: () => import('@strata/backend-webgpu') },
  '@strata/backend-cuda': { strategy: 'cuda', load: () => import('@strata/backend-cuda') },
  '@strata/backend-tpu': { strategy: 'tpu', load: () => import('@strata/backend-tpu') },
} satisfies Record<string, { readonly strategy: string; readonly load: BackendLoader }>;

for (const [name, { strategy, load }] of Object.entries(BACKENDS)) registerBackend(name, load, { strategies: [strategy] });

/** The backend packages this package registers. */
export const SHIPPED_BACKENDS = Object.keys(BACKENDS) as (keyof typeof BACKENDS)[];
