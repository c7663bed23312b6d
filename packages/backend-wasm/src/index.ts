export { WasmStrategy, type WasmStrategyOptions } from './wasm-strategy.js';
export { registerTrainingKernels, TRAINING_KERNELS } from './register-kernels.js';
export { setIm2colLimit } from './kernels/Conv2DBackpropFilter.js';
export { installedWasmFolder, simdSupported, WASM_BINARIES } from './wasm-binaries.js';
export { default } from './wasm-module.js';
