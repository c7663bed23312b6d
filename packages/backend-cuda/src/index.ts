export { CudaStrategy, type CudaStrategyOptions } from './cuda-strategy.js';
export { chooseCudaEngine, type CudaEngineChoice, type CudaEngineName } from './cuda-engine-choice.js';
export { CudaXlaStrategy, CUDA_PROFILE, cudaPluginInstall, cudaPluginOf, cudaPluginRequirement, type CudaXlaStrategyOptions } from './xla/cuda-xla-strategy.js';
export { NativeCudaStrategy, type NativeCudaStrategyOptions } from './native/native-cuda-strategy.js';
export { CudaProbe, NO_GPU_REASON, type CudaCheck, type CudaEngineKind, type CudaProblem } from './cuda-probe.js';
export type { CudaHost } from './cuda-host.js';
export { SystemCudaHost } from './system-cuda-host.js';
export { default } from './cuda-module.js';
