import { registerBackend, strategyModule } from '@strata/core';
import { WebGpuStrategy } from './webgpu-strategy.js';
import type { WebGpuStrategyOptions } from './webgpu-options.js';

/**
 * Binds `WebGpuStrategy` under the name 'webgpu', with the options bound for 'webgpu'.
 * Importing the package registers it for `createStrata()` and the Trainer's strategy names.
 */
const webgpuModule = strategyModule<WebGpuStrategyOptions & Record<string, unknown>>('webgpu', (options) => new WebGpuStrategy(options));
registerBackend('@strata/backend-webgpu', async () => ({ default: webgpuModule }), { strategies: ['webgpu'] });

export default webgpuModule;
