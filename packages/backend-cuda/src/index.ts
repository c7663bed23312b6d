export { CudaStrategy, type CudaStrategyOptions } from './cuda-strategy.js';
export { CudaProbe, type CudaCheck, type CudaEngineKind, type CudaProblem } from './cuda-probe.js';
export type { CudaHost } from './cuda-host.js';
export { SystemCudaHost } from './system-cuda-host.js';
export { default } from './cuda-module.js';
