import { registerBackend, strategyModule } from '@strata/core';
import { WasmStrategy, type WasmStrategyOptions } from './wasm-strategy.js';

/**
 * Binds `WasmStrategy` under the name 'wasm'.
 * Importing the package registers it for `createStrata()` and the Trainer's strategy names.
 */
const wasmModule = strategyModule<WasmStrategyOptions & Record<string, unknown>>('wasm', (options) => new WasmStrategy(options));
registerBackend('@strata/backend-wasm', async () => ({ default: wasmModule }), { strategies: ['wasm'] });

export default wasmModule;
