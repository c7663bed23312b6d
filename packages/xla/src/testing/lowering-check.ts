// Test support: runs the same tfjs function on tfjs-backend-cpu and on the lazy xla backend,
// lowers the xla graph, runs the module through jax, and returns both results.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Precision } from '@strata/core';
import { XlaBackend } from '../lazy/xla-backend.js';
import { registerXlaKernels, XLA_BACKEND_NAME } from '../register-kernels.js';
import type { HostTensor, JaxRunner } from './jax-runner.js';

let backend: XlaBackend | undefined;

/** The recording-only xla backend (no server), registered once per process. */
export function recordingBackend(precision: Precision = '32'): XlaBackend {
  if (backend === undefined) {
    registerXlaKernels();
    backend = new XlaBackend(null);
    const b = backend;
    tf.registerBackend(XLA_BACKEND_NAME, () => b);
  }
  backend.setPrecision(precision);
  return backend;
}

/** A deterministic pseudo-random fill in [-1, 1) (ints in [-5, 5), bools alternate). */
export function seeded(shape: number[], dtype: tf.DataType = 'float32', seed = 1): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed * 2654435761;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const values =
    dtype === 'int32'
      ? Int32Array.from({ length: n }, () => Math.floor(next() * 10) - 5)
      : dtype === 'bool'
        ? Uint8Array.from({ length: n }, () => (next() > 0.5 ? 1 : 0))
        : Float32Array.from({ length: n }, () => next() * 2 - 1);
  return { dtype, shape, values };
}

export interface CheckResult {
  readonly expected: HostTensor[];
  readonly actual: HostTensor[];
  readonly text: string;
}

/** Runs `fn` on cpu and (lowered, through jax) on xla with the same inputs. */
export async function checkOnBoth(
  runner: JaxRunner,
  inputs: readonly HostTensor[],
  fn: (xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  precision: Precision = '32',
): Promise<CheckResult> {
  const xla = recordingBackend(precision);
  await tf.setBackend('cpu');
  const expectedTensors = tf.tidy(() => {
    const out = fn(inputs.map((t) => tf.tensor(t.values as Float32Array, [...t.shape], t.dtype)));
    return Array.isArray(out) ? out : [out];
  });
  const expected = expectedTensors.map((t) => ({ dtype: t.dtype, shape: t.shape, values: t.dataSync() }));
  tf.dispose(expectedTensors);

  await tf.setBackend(XLA_BACKEND_NAME);
  const outs = tf.tidy(() => {
    const out = fn(inputs.map((t) => tf.tensor(t.values as Float32Array, [...t.shape], t.dtype)));
    return Array.isArray(out) ? out : [out];
  });
  const records = outs.map((t) => xla.recordOf(t.dataId)!);
  const program = xla.lowerPending(records);
  if (program === null) throw new Error('nothing was recorded');
  const params: HostTensor[] = program.params.map((r) => {
    const s = r.source;
    if (s.kind === 'host') return { dtype: r.dtype, shape: r.shape, values: s.values };
    if (s.kind === 'fill') {
      const n = r.shape.reduce((a, b) => a * b, 1);
      return { dtype: r.dtype, shape: r.shape, values: new Float32Array(n).fill(s.value) };
    }
    throw new Error(`unexpected argument source ${s.kind}`);
  });
  let results: HostTensor[];
  try {
    results = await runner.run(program.text, params);
  } finally {
    tf.dispose(outs);
    await tf.setBackend('cpu');
  }
  const actual = records.map((r) => results[program.results.indexOf(r)]);
  return { expected, actual, text: program.text };
}

/** Max |a - b| / (1 + |b|) over all elements; NaNs must match. */
export function maxError(a: HostTensor, b: HostTensor): number {
  const x = a.values as ArrayLike<number>;
  const y = b.values as ArrayLike<number>;
  if (x.length !== y.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const p = Number(x[i]);
    const q = Number(y[i]);
    if (Number.isNaN(p) || Number.isNaN(q)) {
      if (Number.isNaN(p) !== Number.isNaN(q)) return Infinity;
      continue;
    }
    if (p === q) continue;
    worst = Math.max(worst, Math.abs(p - q) / (1 + Math.abs(q)));
  }
  return worst;
}
