// Shared by the native kernels' tests (not part of the build): runs the same computation on
// tfjs-backend-cpu (the reference) and on the native engine, and says which kernels ran.
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadNativeEngine, nativeEngineStatus } from '../native-engine.js';

const status = nativeEngineStatus('cpu');
/** A skip reason where no native engine is built, else false. */
export const notBuilt = status.state === 'ready' ? false : `no native engine: ${status.reason}`;
/** A skip reason where the native engine runs with tfjs-node's kernels only. */
export const kernelsOff = process.env.STRATA_NATIVE_KERNELS === 'off' ? 'STRATA_NATIVE_KERNELS=off' : false;

/** Seeded values in [-2, 2) with a few exact zeros (the relu and step edge). */
export function values(size: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: size }, (_, i) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return i % 7 === 3 ? 0 : (s / 2147483648) * 4 - 2;
  });
}

/** What `f` returns, read back, on one backend, and the kernels it ran there. */
export async function runOn(backend: 'cpu' | 'tensorflow', f: () => tf.Tensor[]): Promise<{ values: number[][]; kernels: string[] }> {
  if (backend === 'tensorflow') await loadNativeEngine('cpu');
  assert.ok(await tf.setBackend(backend));
  const before = tf.memory().numTensors;
  let outputs: tf.Tensor[] = [];
  const info = await tf.profile(() => {
    outputs = tf.tidy(f);
    return outputs;
  });
  const read = await Promise.all(outputs.map(async (t) => Array.from(await t.data())));
  tf.dispose(outputs);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return { values: read, kernels: info.kernelNames };
}

/** Runs `f` on both backends and checks the native results against tfjs-backend-cpu's. */
export async function compareWithCpu(f: () => tf.Tensor[], tolerance = 1e-4): Promise<string[]> {
  const reference = await runOn('cpu', f);
  const native = await runOn('tensorflow', f);
  assert.equal(native.values.length, reference.values.length);
  native.values.forEach((got, i) => {
    const want = reference.values[i]!;
    assert.equal(got.length, want.length, `output ${i}: length`);
    const scale = Math.max(1, ...want.map(Math.abs));
    got.forEach((g, j) => assert.ok(Math.abs(g - want[j]!) <= tolerance * scale, `output ${i}[${j}]: native ${g}, tfjs-cpu ${want[j]}`));
  });
  return native.kernels;
}
