import { registerBackend, strategyModule } from '@strata/core';
import { CpuStrategy, type CpuStrategyOptions } from './cpu-strategy.js';

/**
 * Binds `CpuStrategy` under the name 'cpu'.
 * Importing the package registers it for `createStrata()` and the Trainer's strategy names.
 */
const cpuModule = strategyModule<CpuStrategyOptions & Record<string, unknown>>('cpu', (options) => new CpuStrategy(options));
registerBackend('@strata/backend-cpu', async () => ({ default: cpuModule }), { strategies: ['cpu'] });

export default cpuModule;
