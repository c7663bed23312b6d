import { registerBackend, strategyModule } from '@strata/core';
import { CudaStrategy, type CudaStrategyOptions } from './cuda-strategy.js';

/**
 * Binds `CudaStrategy` under the name 'cuda'.
 * Importing the package registers it for `createStrata()` and the Trainer's strategy names.
 */
const cudaModule = strategyModule<CudaStrategyOptions & Record<string, unknown>>('cuda', (options) => new CudaStrategy(options));
registerBackend('@strata/backend-cuda', async () => ({ default: cudaModule }), { strategies: ['cuda'] });

export default cudaModule;
