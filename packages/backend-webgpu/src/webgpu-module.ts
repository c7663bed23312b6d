import { strategyModule } from '@strata/core';
import { WebGpuStrategy } from './webgpu-strategy.js';
import type { WebGpuStrategyOptions } from './webgpu-options.js';

/** Binds `WebGpuStrategy` under the name 'webgpu', with the options bound for 'webgpu'. */
export default strategyModule<WebGpuStrategyOptions & Record<string, unknown>>('webgpu', (options) => new WebGpuStrategy(options));
