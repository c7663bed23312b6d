export { WasmStrategy, type WasmStrategyOptions } from './wasm-strategy.js';
export { registerTrainingKernels, TRAINING_KERNELS } from './register-kernels.js';
export { setIm2colLimit } from './kernels/Conv2DBackpropFilter.js';
export { installedWasmFolder } from './wasm-binaries.js';
export { simdSupported } from './simd-support.js';
export { WASM_BINARIES } from './wasm-binary-names.js';
export { default } from './wasm-module.js';
