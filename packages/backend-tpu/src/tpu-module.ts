import { strategyModule } from '@strata/core';
import { TpuStrategy, type TpuStrategyOptions } from './tpu-strategy.js';

/** Binds `TpuStrategy` under the name 'tpu'. */
export default strategyModule<TpuStrategyOptions & Record<string, unknown>>('tpu', (options) => new TpuStrategy(options));
