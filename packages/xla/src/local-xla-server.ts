import { ChildXlaServer } from './server/child-xla-server.js';
import { defaultServerPython, inspectServerPython, serverPythonProblem } from './server/python-env.js';

export interface LocalXlaServerOptions {
  /** XLA devices the server shows; above 1 on a CPU it forces N host devices (for tests and SPMD). */
  readonly devices?: number;
  /** Require this bearer token (it reaches the server in a file, never on its command line). */
  readonly token?: string;
  /** The Python with the server package; default STRATA_PYTHON, else the workspace's .venv, else python3. */
  readonly python?: string;
  /** More server flags (`python -m strata_xla_server --help` lists them). */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the server to listen, in ms (default 90 s: jax starts in seconds). */
  readonly startTimeoutMs?: number;
}

/** A running `python -m strata_xla_server` on 127.0.0.1 and a free port. */
export interface LocalXlaServer {
  /** 'grpc://127.0.0.1:PORT', for `new XlaStrategy({ address })` or a subclass. */
  readonly address: string;
  /** The server's process id. */
  readonly pid: number;
  /** The file its output goes to. */
  readonly logPath: string;
  /** Everything the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Why a local server cannot be started here (with the remedy), or undefined when it can. */
export function localXlaServerUnavailableReason(python = defaultServerPython()): string | undefined {
  const problem = serverPythonProblem(inspectServerPython(python));
  return problem ? `${problem.reason} (${problem.remedy})` : undefined;
}

/**
 * Starts the Strata XLA server on this machine, bound to 127.0.0.1 on a free port, and waits
 * until it listens. It dies with this process. For tests, benchmarks and single-machine use;
 * the machine that holds the accelerators (a TPU VM, a GPU host) can run
 * `python -m strata_xla_server` itself instead.
 *
 * @example
 * const server = await startLocalXlaServer({ devices: 8 });
 * const strategy = new XlaStrategy({ address: server.address, cores: 8 });
 * ...
 * await server.stop();
 */
export async function startLocalXlaServer(options: LocalXlaServerOptions = {}): Promise<LocalXlaServer> {
  const server = await ChildXlaServer.start({
    python: options.python,
    hostDevices: options.devices,
    token: options.token,
    extraArgs: options.extraArgs,
    startTimeoutMs: options.startTimeoutMs,
    logLevel: 'WARNING',
  });
  return {
    address: server.address,
    pid: server.pid,
    logPath: server.logPath,
    log: () => server.logTail(Number.MAX_SAFE_INTEGER),
    stop: () => server.stop(),
  };
}
