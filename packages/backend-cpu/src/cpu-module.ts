import { strategyModule } from '@strata/core';
import { CpuStrategy, type CpuStrategyOptions } from './cpu-strategy.js';

/** Binds `CpuStrategy` under the name 'cpu'. */
export default strategyModule<CpuStrategyOptions & Record<string, unknown>>('cpu', (options) => new CpuStrategy(options));
