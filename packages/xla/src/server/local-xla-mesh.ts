import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { invalidOption } from '@strata/core';
import { ChildXlaServer, type XlaPlatform } from './child-xla-server.js';

export interface LocalXlaMeshOptions {
  /** Server processes of the mesh (jax processes). Default 2. */
  readonly processes?: number;
  /** On the CPU platform: the host devices each process shows. Default 1. */
  readonly devicesPerProcess?: number;
  /** The platform jax must use. Default 'cpu' (one machine's processes cannot share an accelerator). */
  readonly platform?: XlaPlatform;
  /** The Python with jax and the server package; default `defaultServerPython()`. */
  readonly python?: string;
  /** Require a bearer token on every server: a given one, or true for one random token for all. */
  readonly token?: string | boolean;
  /** Seconds a process waits for a silent peer before jax's runtime stops it (the server's --heartbeat-timeout-s). */
  readonly heartbeatTimeoutS?: number;
  /** More flags for every server. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the servers to serve, in ms (default 90 s). */
  readonly startTimeoutMs?: number;
  /** The servers' own log level (default WARNING). */
  readonly logLevel?: string;
}

/** The servers of a mesh on this machine. */
export interface LocalXlaMesh {
  /** Their addresses in process order, for `new XlaStrategy({ addresses })`. */
  readonly addresses: readonly string[];
  /** The server processes, in process order. */
  readonly servers: readonly ChildXlaServer[];
  /** The jax coordinator's address, 127.0.0.1:PORT. */
  readonly coordinator: string;
  /** Stops every server. */
  stop(): Promise<void>;
}

/**
 * Starts `processes` XLA servers on loopback as one jax multi-process mesh (process 0 runs
 * the coordinator on a free port): for tests and benchmarks of several hosts on one machine.
 * The servers start together (each waits for the others to join) and die with this process.
 *
 * @example
 * const mesh = await startLocalXlaMesh({ processes: 2, devicesPerProcess: 4 });
 * const strategy = new XlaStrategy({ addresses: mesh.addresses, cores: 8 });
 * ...
 * await mesh.stop();
 */
export async function startLocalXlaMesh(options: LocalXlaMeshOptions = {}): Promise<LocalXlaMesh> {
  const processes = options.processes ?? 2;
  if (!Number.isInteger(processes) || processes < 1) invalidOption('processes', processes, 'a positive integer (server processes of the mesh)');
  const devices = options.devicesPerProcess ?? 1;
  if (!Number.isInteger(devices) || devices < 1) invalidOption('devicesPerProcess', devices, 'a positive integer (host devices of each process)');
  const coordinator = `127.0.0.1:${await freePort()}`;
  const token = options.token === true ? randomBytes(24).toString('hex') : options.token || undefined;
  const started = await Promise.allSettled(
    Array.from({ length: processes }, (_, i) =>
      ChildXlaServer.start({
        platform: options.platform ?? 'cpu',
        hostDevices: devices,
        python: options.python,
        token,
        startTimeoutMs: options.startTimeoutMs,
        logLevel: options.logLevel ?? 'WARNING',
        extraArgs: [
          '--coordinator-address', coordinator,
          '--num-processes', String(processes),
          '--process-id', String(i),
          ...(options.heartbeatTimeoutS === undefined ? [] : ['--heartbeat-timeout-s', String(options.heartbeatTimeoutS)]),
          ...(options.extraArgs ?? []),
        ],
      }),
    ),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return {
    addresses: servers.map((s) => s.address),
    servers,
    coordinator,
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/** A TCP port of 127.0.0.1 that nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
