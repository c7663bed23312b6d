import { registerBackend, type BackendLoader } from '@strata/core';

// Every strategy Strata ships, each with a literal import so that bundlers follow it. A backend
// is loaded when a container is made (createStrata, a Trainer given a strategy name), and one
// that fails to load is reported there without stopping the others.
const LOADERS = {
  '@strata/backend-cpu': () => import('@strata/backend-cpu'),
  '@strata/backend-wasm': () => import('@strata/backend-wasm'),
  '@strata/backend-webgpu': () => import('@strata/backend-webgpu'),
  '@strata/backend-cuda': () => import('@strata/backend-cuda'),
  '@strata/backend-tpu': () => import('@strata/backend-tpu'),
} satisfies Record<string, BackendLoader>;

for (const [name, load] of Object.entries(LOADERS)) registerBackend(name, load);

/** The backend packages this package registers. */
export const SHIPPED_BACKENDS = Object.keys(LOADERS) as (keyof typeof LOADERS)[];
