import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/core';

export interface LocalXlaServerOptions {
  /** XLA devices the server shows; above 1 on a CPU it forces N host devices (for tests and SPMD). */
  readonly devices?: number;
  /** Require this bearer token. */
  readonly token?: string;
  /** The Python with the server package; default STRATA_PYTHON, else the repository's .venv. */
  readonly python?: string;
  /** More server flags (see packages/xla-server/README.md). */
  readonly extraArgs?: readonly string[];
  /** How long to wait for the server to listen, in ms (default 60 s: jax starts in seconds). */
  readonly startTimeoutMs?: number;
}

/** A running `python -m strata_xla_server` on 127.0.0.1 and a free port. */
export interface LocalXlaServer {
  /** 'grpc://127.0.0.1:PORT', for `new XlaStrategy({ address })` or a subclass. */
  readonly address: string;
  /** Everything the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

// The repository root when running from the workspace: packages/xla/{src,dist}/ -> ../../..
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SERVER_SRC = join(REPO_ROOT, 'packages', 'xla-server', 'src');

function defaultPython(): string {
  return process.env.STRATA_PYTHON ?? join(REPO_ROOT, '.venv', 'bin', 'python');
}

/** Why a local server cannot be started here (with the remedy), or undefined when it can. */
export function localXlaServerUnavailableReason(python = defaultPython()): string | undefined {
  if (!existsSync(python)) return `no Python environment at ${python} to run the XLA server (npm run setup makes it, or set STRATA_PYTHON)`;
  return undefined;
}

/**
 * Starts the Strata XLA server on this machine, bound to 127.0.0.1 on a free port, and waits
 * until it listens. For tests, benchmarks and single-machine use; the machine that holds the
 * accelerators (a TPU VM, a GPU host) runs `npm run xla-server` instead.
 *
 * @example
 * const server = await startLocalXlaServer({ devices: 8 });
 * const strategy = new XlaStrategy({ address: server.address, cores: 8 });
 * ...
 * await server.stop();
 */
export async function startLocalXlaServer(options: LocalXlaServerOptions = {}): Promise<LocalXlaServer> {
  const python = options.python ?? defaultPython();
  const reason = localXlaServerUnavailableReason(python);
  if (reason) throw new StrataError('strategy-unavailable', `Cannot start a local XLA server: ${reason}.`, { value: python, fix: 'run `npm run setup`.' });
  const dir = mkdtempSync(join(tmpdir(), 'strata-xla-'));
  const portFile = join(dir, 'port');
  const args = ['-m', 'strata_xla_server', '--host', '127.0.0.1', '--port', '0', '--port-file', portFile, '--log-level', 'WARNING'];
  if (options.token) args.push('--token', options.token);
  args.push(...(options.extraArgs ?? []));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // In the workspace the server's sources are importable without installing the package.
  if (existsSync(SERVER_SRC)) env.PYTHONPATH = [SERVER_SRC, env.PYTHONPATH].filter(Boolean).join(':');
  if (options.devices && options.devices > 1) env.XLA_FLAGS = `${env.XLA_FLAGS ?? ''} --xla_force_host_platform_device_count=${options.devices}`.trim();
  const proc: ChildProcess = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout?.on('data', (d) => (log += String(d)));
  proc.stderr?.on('data', (d) => (log += String(d)));
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!existsSync(portFile) || readFileSync(portFile, 'utf8').trim() === '') {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new StrataError('server-error', `The local XLA server did not start (${proc.exitCode === null ? 'timed out' : `exit ${proc.exitCode}`}).`, {
        fix: `read its output:\n${log}`,
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const port = Number(readFileSync(portFile, 'utf8').trim());
  return {
    address: `grpc://127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
