// Test support, not built into dist: runs the same computation on the cpu and wasm backends.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { WasmStrategy } from '../wasm-strategy.js';

let ready: Promise<WasmStrategy> | undefined;

/** Sets the wasm strategy up once per test process (it registers this package's kernels). */
export function wasmReady(): Promise<WasmStrategy> {
  ready ??= (async () => {
    const strategy = new WasmStrategy();
    await strategy.setup();
    return strategy;
  })();
  return ready;
}

/** Deterministic values in [-1, 1): tests must not depend on tfjs's RNG, which differs per backend. */
export function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Runs `fn` on `backend` and reads every tensor it returns; nothing it makes survives. */
export async function runOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const result = tf.tidy(fn);
  const list = Array.isArray(result) ? result : [result];
  const arrays = list.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(list);
  if (tf.memory().numTensors !== before) throw new Error(`leaked ${tf.memory().numTensors - before} tensor(s) on ${backend}`);
  return arrays;
}

/** Largest |a - b| divided by the largest |b| (floored at 1e-6, so an all-zero b is compared absolutely). */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
