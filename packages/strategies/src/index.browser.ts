import { registerBackend, type BackendLoader } from '@strata/core';

// The strategies a browser page can run, registered as the Node entry registers every shipped
// one: wasm (tfjs-backend-wasm) and webgpu (navigator.gpu). cpu, cuda and tpu need Node (the
// native engine, a child XLA server), so a browser build leaves them out.
const BACKENDS = {
  '@strata/backend-wasm': { strategy: 'wasm', load: () => import('@strata/backend-wasm') },
  '@strata/backend-webgpu': { strategy: 'webgpu', load: () => import('@strata/backend-webgpu') },
} satisfies Record<string, { readonly strategy: string; readonly load: BackendLoader }>;

for (const [name, { strategy, load }] of Object.entries(BACKENDS)) registerBackend(name, load, { strategies: [strategy] });

/** The backend packages this package registers in a browser. */
export const SHIPPED_BACKENDS = Object.keys(BACKENDS) as (keyof typeof BACKENDS)[];
