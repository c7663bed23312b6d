import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A local XLA server the bench started for the 'tpu' strategy, or why there is none. */
export type LocalXlaServer =
  | { readonly ok: true; readonly address: string; stop(): void }
  | { readonly ok: false; readonly reason: string };

/**
 * Starts `python -m strata_xla_server` on a free loopback port (XLA:CPU when this machine has
 * no TPU or GPU), as the backend-tpu tests do, and waits until it serves. The Python is the
 * project's .venv, where scripts/setup.sh installs the server.
 */
export async function startLocalXlaServer(python: string | undefined, timeoutMs = 90_000): Promise<LocalXlaServer> {
  if (!python || !existsSync(python)) {
    return { ok: false, reason: `no Python with strata_xla_server (looked for ${python ?? '.venv/bin/python'}; run bash scripts/setup.sh, or pass --tpu-address)` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-xla-'));
  const portFile = join(dir, 'port');
  let child: ChildProcess;
  let output = '';
  try {
    child = spawn(python, ['-m', 'strata_xla_server', '--host', '127.0.0.1', '--port', '0', '--port-file', portFile, '--log-level', 'WARNING'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    return { ok: false, reason: `could not start the XLA server: ${(error as Error).message}` };
  }
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    if (existsSync(portFile)) {
      const port = Number(readFileSync(portFile, 'utf8').trim());
      if (port > 0) {
        return {
          ok: true,
          address: `grpc://127.0.0.1:${port}`,
          stop: () => {
            if (!exited) child.kill('SIGTERM');
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!exited) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  const last = output.trim().split('\n').slice(-3).join(' | ');
  return { ok: false, reason: `the local XLA server did not start within ${timeoutMs / 1000} s${last ? `: ${last}` : ''}` };
}
