// Test support: the public local-server helper under the names the tests use.
import { localXlaServerUnavailableReason, startLocalXlaServer, type LocalXlaServer, type LocalXlaServerOptions } from '../local-xla-server.js';

export type ServerProcess = LocalXlaServer;

/** Why a real server cannot be started here, or undefined when it can. */
export function serverSkipReason(): string | undefined {
  return localXlaServerUnavailableReason();
}

export function startServer(options: LocalXlaServerOptions = {}): Promise<ServerProcess> {
  return startLocalXlaServer(options);
}
