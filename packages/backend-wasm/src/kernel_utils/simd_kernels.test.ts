import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { values, wasmReady } from '../testing/against-cpu.js';
import { simdKernels, simdModuleBytes, type SimdKernels } from './simd_kernels.js';
import { f32, release } from './wasm_heap.js';

describe('the SIMD row kernels', () => {
  let backend: BackendWasm;
  let kernels: SimdKernels;
  before(async () => {
    await wasmReady();
    await tf.setBackend('wasm');
    backend = tf.backend() as BackendWasm;
    const loaded = simdKernels(backend);
    assert.ok(loaded, 'the SIMD module did not load against tfjs-wasm memory');
    kernels = loaded;
  });

  it('is a valid WebAssembly module that uses SIMD', () => {
    const bytes = simdModuleBytes();
    assert.ok(WebAssembly.validate(bytes));
    assert.ok(bytes.includes(0xfd), 'no SIMD prefix byte');
  });

  /** count rows of 8 floats (two lane groups) with a row step of 3 rows in x and 1 in y. */
  const count = 5;
  const width = 8;
  function buffers(): { x: tf.TensorInfo; y: tf.TensorInfo; acc: tf.TensorInfo } {
    const x = backend.makeOutput([count * 3 * width], 'float32');
    const y = backend.makeOutput([count * width], 'float32');
    const acc = backend.makeOutput([width], 'float32');
    f32(backend, x).set(values(count * 3 * width, 3));
    f32(backend, y).set(values(count * width, 4));
    f32(backend, acc).set(values(width, 5));
    return { x, y, acc };
  }

  it('rowProducts adds Σ x·y over strided rows to acc', () => {
    const { x, y, acc } = buffers();
    const [xv, yv, start] = [f32(backend, x), f32(backend, y), Float32Array.from(f32(backend, acc))];
    const expected = Array.from(start, (a, c) => {
      let s = a;
      for (let i = 0; i < count; i++) s += xv[i * 3 * width + c] * yv[i * width + c];
      return s;
    });
    kernels.rowProducts(f32(backend, acc).byteOffset, xv.byteOffset, yv.byteOffset, count, 4 * 3 * width, 4 * width, width / 4);
    Array.from(f32(backend, acc)).forEach((v, c) => assert.ok(Math.abs(v - expected[c]) < 1e-5, `lane ${c}: ${v} vs ${expected[c]}`));
    release(backend, x, y, acc);
  });

  it('rowSums adds Σ x over strided rows to acc, and only the blocks asked for', () => {
    const { x, y, acc } = buffers();
    const [xv, start] = [f32(backend, x), Float32Array.from(f32(backend, acc))];
    const expected = Array.from(start, (a, c) => {
      if (c >= 4) return a; // one block only
      let s = a;
      for (let i = 0; i < count; i++) s += xv[i * 3 * width + c];
      return s;
    });
    kernels.rowSums(f32(backend, acc).byteOffset, xv.byteOffset, count, 4 * 3 * width, 1);
    Array.from(f32(backend, acc)).forEach((v, c) => assert.ok(Math.abs(v - expected[c]) < 1e-5, `lane ${c}: ${v} vs ${expected[c]}`));
    release(backend, x, y, acc);
  });

  it('rowScaledAdd adds y·w into strided rows of out', () => {
    const { x, y, acc } = buffers();
    const [xv, yv, wv] = [f32(backend, x), f32(backend, y), f32(backend, acc)];
    const expected = Float32Array.from(xv);
    for (let i = 0; i < count; i++) for (let c = 0; c < width; c++) expected[i * 3 * width + c] += yv[i * width + c] * wv[c];
    kernels.rowScaledAdd(xv.byteOffset, yv.byteOffset, wv.byteOffset, count, 4 * 3 * width, 4 * width, width / 4);
    Array.from(f32(backend, x)).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `element ${i}: ${v} vs ${expected[i]}`));
    release(backend, x, y, acc);
  });

  it('reluGrad passes dy where x > 0 and 0 elsewhere, NaN included', () => {
    const x = backend.makeOutput([8], 'float32');
    const dy = backend.makeOutput([8], 'float32');
    const out = backend.makeOutput([8], 'float32');
    f32(backend, x).set([NaN, -1, 0, 2, -0, 3, Infinity, -Infinity]);
    f32(backend, dy).set([1, 2, 3, 4, 5, 6, 7, 8]);
    kernels.reluGrad(f32(backend, out).byteOffset, f32(backend, x).byteOffset, f32(backend, dy).byteOffset, 2);
    assert.deepEqual(Array.from(f32(backend, out)), [0, 0, 0, 4, 0, 6, 7, 0]);
    release(backend, x, dy, out);
  });

  it('rowBiasAdd adds b to every row', () => {
    const { x, y, acc } = buffers();
    const [xv, bv] = [f32(backend, y), f32(backend, acc)];
    const expected = Array.from(xv, (v, i) => Math.fround(v + bv[i % width]!));
    const out = backend.makeOutput([count * width], 'float32');
    kernels.rowBiasAdd(f32(backend, out).byteOffset, f32(backend, y).byteOffset, f32(backend, acc).byteOffset, count, width / 4);
    assert.deepEqual(Array.from(f32(backend, out)), expected);
    release(backend, x, y, acc, out);
  });
});
