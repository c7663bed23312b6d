export { TpuStrategy, type TpuStrategyOptions } from './tpu-strategy.js';
export { XlaBackend, type XlaBackendStats } from './lazy/xla-backend.js';
export { GraphLowerer, type LoweredProgram } from './lazy/graph-lowerer.js';
export { XlaClient, type ServerDevice, type ServerHealth } from './client/xla-client.js';
export { XlaSession, type SessionUsage } from './client/xla-session.js';
export { registerXlaKernels, loweredKernels, XLA_BACKEND_NAME } from './register-kernels.js';
export { LOWERINGS, type KernelLowering, type TensorMeta } from './lowerings/index.js';
export { startLocalXlaServer, localXlaServerUnavailableReason, type LocalXlaServer, type LocalXlaServerOptions } from './local-xla-server.js';
export { default } from './tpu-module.js';
