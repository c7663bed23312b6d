export {
  XlaStrategy,
  XLA_PROFILE,
  DEFAULT_XLA_ADDRESS,
  type XlaStrategyOptions,
  type XlaStrategyProfile,
} from './xla-strategy.js';
export { XlaBackend } from './lazy/xla-backend.js';
export type { XlaBackendStats } from './lazy/backend-stats.js';
export { GraphLowerer, type LoweredProgram } from './lazy/graph-lowerer.js';
export { XlaClient, type ClientRemedies, type ServerDevice, type ServerHealth } from './client/xla-client.js';
export { type XlaTlsOptions, type ChannelSecurityOptions } from './client/channel-security.js';
export { XlaSession, type SessionUsage, type XlaSessionOptions } from './client/xla-session.js';
export { MeshSession } from './client/mesh-session.js';
export { checkMeshMembers, type MeshMemberHealth } from './client/mesh-members.js';
export { registerXlaKernels, loweredKernels, XLA_BACKEND_NAME } from './register-kernels.js';
export { LOWERINGS, type KernelLowering, type TensorMeta } from './lowerings/index.js';
export { startLocalXlaServer, localXlaServerUnavailableReason, type LocalXlaServer, type LocalXlaServerOptions } from './local-xla-server.js';
export { LocalXlaStrategy, LOCAL_XLA_PROFILE, type LocalXlaStrategyOptions, type LocalXlaProblem } from './local-xla-strategy.js';
export { ChildXlaServer, startChildXlaServer, type ChildXlaServerOptions, type ServerExit, type XlaPlatform } from './server/child-xla-server.js';
export { startLocalXlaMesh, type LocalXlaMesh, type LocalXlaMeshOptions } from './server/local-xla-mesh.js';
export { ownedChildren, type OwnedChild } from './server/exit-cleanup.js';
export {
  SERVER_JAX_VERSION,
  defaultServerPython,
  inspectServerPython,
  serverPythonProblem,
  workspaceServerSource,
  type ServerPythonEnv,
} from './server/python-env.js';
