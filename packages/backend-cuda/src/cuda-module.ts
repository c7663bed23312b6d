import { strategyModule } from '@strata/core';
import { CudaStrategy, type CudaStrategyOptions } from './cuda-strategy.js';

/** Binds `CudaStrategy` under the name 'cuda'. */
export default strategyModule<CudaStrategyOptions & Record<string, unknown>>('cuda', (options) => new CudaStrategy(options));
