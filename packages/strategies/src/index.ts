import { registerBackend } from '@strata/core';

// Every strategy Strata ships, registered with a literal import so that bundlers follow it. A
// backend is loaded when a container is made (createStrata, a Trainer given a strategy name), and
// one that fails to load is reported there without stopping the others.
registerBackend('@strata/backend-cpu', () => import('@strata/backend-cpu'));
registerBackend('@strata/backend-wasm', () => import('@strata/backend-wasm'));
registerBackend('@strata/backend-webgpu', () => import('@strata/backend-webgpu'));
registerBackend('@strata/backend-cuda', () => import('@strata/backend-cuda'));
registerBackend('@strata/backend-tpu', () => import('@strata/backend-tpu'));

/** The backend packages this package registers, in the order 'auto' probes them. */
export const SHIPPED_BACKENDS = ['@strata/backend-cpu', '@strata/backend-wasm', '@strata/backend-webgpu', '@strata/backend-cuda', '@strata/backend-tpu'] as const;
