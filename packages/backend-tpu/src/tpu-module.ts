import { registerBackend, strategyModule } from '@strata/core';
import { TpuStrategy, type TpuStrategyOptions } from './tpu-strategy.js';

/**
 * Binds `TpuStrategy` under the name 'tpu'.
 * Importing the package registers it for `createStrata()` and the Trainer's strategy names.
 */
const tpuModule = strategyModule<TpuStrategyOptions & Record<string, unknown>>('tpu', (options) => new TpuStrategy(options));
registerBackend('@strata/backend-tpu', async () => ({ default: tpuModule }), { strategies: ['tpu'] });

export default tpuModule;
