import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '@strata/core';
import { killOnExit } from './exit-cleanup.js';
import { defaultServerPython, inspectServerPython, serverPythonProblem, workspaceServerSource } from './python-env.js';

/** The PJRT platform a server runs on (`JAX_PLATFORMS`). */
export type XlaPlatform = 'cpu' | 'cuda' | 'rocm' | 'tpu';

export interface ChildXlaServerOptions {
  /** The platform jax must use; absent: jax's own choice (an accelerator when it finds one, else the CPU). */
  readonly platform?: XlaPlatform;
  /** On the CPU platform: the host devices XLA shows (`--xla_force_host_platform_device_count`). */
  readonly hostDevices?: number;
  /** The Python with jax and the server package; default `defaultServerPython()`. */
  readonly python?: string;
  /** Require a bearer token: a given one, or true for a random one. It travels in a file, never on the command line. */
  readonly token?: string | boolean;
  /** More environment variables for the server (CUDA_VISIBLE_DEVICES, XLA_PYTHON_CLIENT_PREALLOCATE...). */
  readonly env?: Readonly<Record<string, string>>;
  /** More server flags. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the server to serve, in ms (default 90 s: jax starts in seconds, a GPU runtime in more). */
  readonly startTimeoutMs?: number;
  /** The server's own log level: DEBUG, INFO (default: one line per compile), WARNING. */
  readonly logLevel?: string;
}

/** How a child server ended. */
export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when `stop()` asked for it. */
  readonly requested: boolean;
}

/**
 * One `python -m strata_xla_server` this process started, bound to 127.0.0.1 on a free port.
 * Its output goes to a log file on disk. It stops with `stop()`, and dies with this process
 * (exit, uncaught error, SIGINT, SIGTERM, SIGHUP); if this process is killed outright, the
 * server notices its parent is gone and stops within a second or two.
 */
export class ChildXlaServer {
  private exitInfo: ServerExit | null = null;
  private stopRequested = false;
  private readonly listeners = new Set<(exit: ServerExit) => void>();
  private readonly exited: Promise<ServerExit>;
  private readonly forget: () => void;

  private constructor(
    private readonly proc: ChildProcess,
    /** The folder of the port, token and log files. */
    readonly dir: string,
    readonly platform: XlaPlatform | undefined,
    readonly token: string | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal, requested: this.stopRequested };
        this.forget();
        for (const listener of this.listeners) listener(this.exitInfo);
        resolve(this.exitInfo);
      });
    });
    this.forget = killOnExit({
      pid: proc.pid!,
      killNow: () => {
        this.stopRequested = true;
        proc.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      },
    });
  }

  /** The process id of the server. */
  get pid(): number {
    return this.proc.pid!;
  }

  /** The server's stdout and stderr, on disk (kept after a server that died on its own). */
  get logPath(): string {
    return join(this.dir, 'server.log');
  }

  /** How the server ended, or null while it runs. */
  get exit(): ServerExit | null {
    return this.exitInfo;
  }

  /** 'grpc://127.0.0.1:PORT' once it serves. */
  address = '';

  /** Calls `listener` when the server ends (at once if it has); returns the function that removes it. */
  onExit(listener: (exit: ServerExit) => void): () => void {
    if (this.exitInfo) {
      listener(this.exitInfo);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once the server has ended, false when it still runs after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exitInfo) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ended = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return ended;
  }

  /** The last `lines` lines of the log. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** 'killed by SIGKILL' or 'exited with code 1'. */
  describeExit(exit: ServerExit): string {
    return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  }

  /**
   * Stops the server (SIGTERM, SIGKILL after 5 s) and removes its folder. The folder of a
   * server that ended on its own is kept: errors name its log.
   */
  async stop(): Promise<void> {
    if (this.exitInfo === null) {
      this.stopRequested = true;
      this.proc.kill('SIGTERM');
      if (!(await this.waitForExit(5000))) {
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    }
    if (this.exitInfo?.requested) rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Starts the server and resolves once it serves (its port file is written after the
   * devices are up). Fails, naming its exit and its log, when it ends or times out first.
   */
  static async start(options: ChildXlaServerOptions = {}): Promise<ChildXlaServer> {
    const python = options.python ?? defaultServerPython();
    const problem = serverPythonProblem(inspectServerPython(python));
    if (problem) throw new StrataError('strategy-unavailable', `Cannot start a local XLA server: ${problem.reason}.`, { value: python, fix: problem.remedy });
    const dir = mkdtempSync(join(tmpdir(), 'strata-xla-'));
    const portFile = join(dir, 'port');
    const args = ['-m', 'strata_xla_server', '--host', '127.0.0.1', '--port', '0', '--port-file', portFile];
    args.push('--log-level', options.logLevel ?? 'INFO', '--parent-pid', String(process.pid));
    const token = options.token === true ? randomBytes(24).toString('hex') : options.token || undefined;
    if (token) {
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, token, { mode: 0o600 });
      args.push('--token-file', tokenFile);
    }
    args.push(...(options.extraArgs ?? []));
    const log = openSync(join(dir, 'server.log'), 'a', 0o600);
    let proc: ChildProcess;
    try {
      // Its own process group: a Ctrl-C in the terminal reaches this process, which decides.
      proc = spawn(python, args, { env: serverEnv(options), stdio: ['ignore', log, log], detached: true });
    } finally {
      closeSync(log);
    }
    const spawned = await new Promise<Error | undefined>((resolve) => {
      proc.once('spawn', () => resolve(undefined));
      proc.once('error', resolve);
    });
    if (spawned) {
      rmSync(dir, { recursive: true, force: true });
      throw new StrataError('strategy-unavailable', `Cannot start a local XLA server: ${spawned.message}.`, { value: python, fix: 'pass a working python (the python option or STRATA_PYTHON).', cause: spawned });
    }
    // A failed kill() of a server already gone is reported as an 'error' event: nothing to do.
    proc.on('error', () => undefined);
    // The server must not keep this process alive by itself; it dies with it.
    proc.unref();
    const server = new ChildXlaServer(proc, dir, options.platform, token);
    const port = await server.waitForPort(portFile, options.startTimeoutMs ?? 90_000);
    server.address = `grpc://127.0.0.1:${port}`;
    return server;
  }

  private async waitForPort(portFile: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = existsSync(portFile) ? readFileSync(portFile, 'utf8').trim() : '';
      if (text !== '') return Number(text);
      const why = this.exitInfo ? this.describeExit(this.exitInfo) : Date.now() > deadline ? `did not serve within ${Math.round(timeoutMs / 1000)} s` : undefined;
      if (why !== undefined) {
        if (this.exitInfo === null) {
          this.proc.kill('SIGKILL');
          await this.exited;
        }
        const tail = this.logTail(12);
        throw new StrataError('server-error', `The local XLA server${this.platform ? ` (platform ${this.platform})` : ''} ${why} before it served. Its log is ${this.logPath}${tail ? `; it ends:\n${tail}\n` : ' (empty).'}`, {
          value: this.exitInfo?.code ?? this.exitInfo?.signal ?? timeoutMs,
          fix: 'read the log for the cause (a missing jax plugin, a device another process holds, a wrong flag), fix it, and start again.',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The server's environment: this process's, with the platform, host devices and the workspace source. */
function serverEnv(options: ChildXlaServerOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...(options.env ?? {}) };
  // In the workspace the server's sources are importable without installing the package.
  const source = workspaceServerSource();
  if (source) env.PYTHONPATH = [source, env.PYTHONPATH].filter(Boolean).join(':');
  if (options.platform) env.JAX_PLATFORMS = options.platform;
  if (options.hostDevices !== undefined && options.hostDevices > 1) {
    const others = (env.XLA_FLAGS ?? '').replace(/--xla_force_host_platform_device_count=\d+/g, '').trim();
    env.XLA_FLAGS = `${others} --xla_force_host_platform_device_count=${options.hostDevices}`.trim();
  }
  // Python's own buffering would hold the log back from the file until the server exits.
  env.PYTHONUNBUFFERED = '1';
  return env;
}

/** Starts a child server: see `ChildXlaServer.start`. */
export function startChildXlaServer(options: ChildXlaServerOptions = {}): Promise<ChildXlaServer> {
  return ChildXlaServer.start(options);
}
