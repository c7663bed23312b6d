// Test support: runs emitted StableHLO through jax (XLA:CPU) in a persistent Python process.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BackendValues, DataType } from '@tensorflow/tfjs-core';

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = resolve(here, '..', '..');
export const REPO_ROOT = resolve(PACKAGE_DIR, '..', '..');
export const PYTHON = process.env.STRATA_PYTHON ?? join(REPO_ROOT, '.venv', 'bin', 'python');

/** Why the jax-backed tests cannot run here, or undefined when they can. */
export function jaxSkipReason(): string | undefined {
  return existsSync(PYTHON) ? undefined : `no Python environment at ${PYTHON} (set STRATA_PYTHON to a Python that has jax)`;
}

export interface HostTensor {
  readonly dtype: DataType;
  readonly shape: readonly number[];
  readonly values: BackendValues;
}

function toB64(t: HostTensor): string {
  const v = t.values as ArrayLike<number>;
  const typed = t.dtype === 'float32' ? Float32Array.from(v) : t.dtype === 'int32' ? Int32Array.from(v) : Uint8Array.from(v, (x) => (x ? 1 : 0));
  return Buffer.from(typed.buffer).toString('base64');
}

function fromB64(dtype: DataType, b64: string): Float32Array | Int32Array | Uint8Array {
  const bytes = Buffer.from(b64, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return dtype === 'float32' ? new Float32Array(copy.buffer) : dtype === 'int32' ? new Int32Array(copy.buffer) : copy;
}

/** A Python process that compiles and runs StableHLO text with jax's PJRT CPU client. */
export class JaxRunner {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];

  constructor() {
    this.proc = spawn(PYTHON, [join(PACKAGE_DIR, 'scripts', 'run_stablehlo.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', () => undefined);
    createInterface({ input: this.proc.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  run(text: string, inputs: readonly HostTensor[]): Promise<HostTensor[]> {
    const request = JSON.stringify({ text, inputs: inputs.map((t) => ({ dtype: t.dtype, shape: t.shape, b64: toB64(t) })) });
    return new Promise((resolvePromise, reject) => {
      this.waiting.push((line) => {
        const reply = JSON.parse(line) as { error?: string; outputs?: { dtype: DataType; shape: number[]; b64: string }[] };
        if (reply.error) reject(new Error(`${reply.error}\n--- module ---\n${text}`));
        else resolvePromise(reply.outputs!.map((o) => ({ dtype: o.dtype, shape: o.shape, values: fromB64(o.dtype, o.b64) })));
      });
      this.proc.stdin.write(`${request}\n`);
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}
