export { TpuStrategy, TPU_PROFILE, type TpuStrategyOptions } from './tpu-strategy.js';
export {
  XlaBackend,
  type XlaBackendStats,
  GraphLowerer,
  type LoweredProgram,
  XlaClient,
  type ServerDevice,
  type ServerHealth,
  XlaSession,
  type SessionUsage,
  registerXlaKernels,
  loweredKernels,
  XLA_BACKEND_NAME,
  LOWERINGS,
  type KernelLowering,
  type TensorMeta,
  startLocalXlaServer,
  localXlaServerUnavailableReason,
  type LocalXlaServer,
  type LocalXlaServerOptions,
} from '@strata/xla';
export { default } from './tpu-module.js';
