import { strategyModule } from '@strata/core';
import { WasmStrategy, type WasmStrategyOptions } from './wasm-strategy.js';

/** Binds `WasmStrategy` under the name 'wasm'. */
export default strategyModule<WasmStrategyOptions & Record<string, unknown>>('wasm', (options) => new WasmStrategy(options));
