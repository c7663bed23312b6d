export { WebGpuStrategy } from './webgpu-strategy.js';
export { DAWN_BACKENDS, type DawnBackend, type WebGpuStrategyOptions } from './webgpu-options.js';
export { DEBIAN_PACKAGES } from './dawn-runtime.js';
export { DEVICE_ERROR } from './gpu-error-monitor.js';
export { default } from './webgpu-module.js';
