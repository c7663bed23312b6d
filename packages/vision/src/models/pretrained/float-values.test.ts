import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { contiguousStrides, floatValues, halfToFloat, permuted, viewEnd } from './float-values.js';

/** Little-endian bytes of float32 values. */
function f32(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

describe('float values of a storage', () => {
  it('decodes IEEE binary16: normal, subnormal, largest, infinite, NaN', () => {
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x3555), 0.333251953125);
    assert.equal(halfToFloat(0x7bff), 65504);
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0x8000), -0);
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.equal(halfToFloat(0xfc00), -Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  });

  it('widens float16 and bfloat16 storages and narrows float64 ones', () => {
    const half = new Uint8Array(Uint16Array.of(0x3c00, 0xc000, 0x3555).buffer);
    assert.deepEqual(floatValues(half, 'float16', 0, [3], [1]), Float32Array.of(1, -2, 0.333251953125));
    // bfloat16 is the upper 16 bits of a float32: 0x3fc0 is 1.5, 0xc049 is -3.140625.
    const brain = new Uint8Array(Uint16Array.of(0x3fc0, 0xc049).buffer);
    assert.deepEqual(floatValues(brain, 'bfloat16', 0, [2], [1]), Float32Array.of(1.5, -3.140625));
    const double = new Uint8Array(Float64Array.of(0.1, -1e-3).buffer);
    assert.deepEqual(floatValues(double, 'float64', 0, [2], [1]), Float32Array.of(0.1, -1e-3));
  });

  it('reads unaligned float32 storages', () => {
    const bytes = new Uint8Array(9);
    bytes.set(f32([1.25, -7]), 1);
    assert.deepEqual(floatValues(bytes.subarray(1), 'float32', 0, [2], [1]), Float32Array.of(1.25, -7));
  });

  it('gathers a strided view (a transposed, offset tensor) into row-major order', () => {
    // Storage 0..11 as [3, 4]; the view is its transpose [4, 3] from element 0, then a [2, 2] window at offset 5.
    const storage = f32(Array.from({ length: 12 }, (_, i) => i));
    assert.deepEqual(Array.from(floatValues(storage, 'float32', 0, [4, 3], [1, 4])), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    assert.deepEqual(Array.from(floatValues(storage, 'float32', 5, [2, 2], [4, 1])), [5, 6, 9, 10]);
    assert.deepEqual(Array.from(floatValues(storage, 'float32', 3, [], [])), [3]);
    assert.deepEqual(Array.from(floatValues(storage, 'float32', 0, [0, 3], [3, 1])), []);
  });

  it('permutes axes: OIHW [2, 3, 1, 2] to HWIO puts element (o, i, h, w) at (h, w, i, o)', () => {
    const shape = [2, 3, 1, 2];
    const values = Float32Array.from({ length: 12 }, (_, i) => i);
    const out = permuted(values, shape, [2, 3, 1, 0]);
    const [O, I, H, W] = shape as [number, number, number, number];
    for (let o = 0; o < O; o++)
      for (let i = 0; i < I; i++)
        for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) assert.equal(out[((h * W + w) * I + i) * O + o], values[((o * I + i) * H + h) * W + w]);
  });

  it('tells where a view ends, and the strides of a contiguous tensor', () => {
    assert.equal(viewEnd(0, [4, 3], [1, 4]), 12);
    assert.equal(viewEnd(5, [2, 2], [4, 1]), 11);
    assert.equal(viewEnd(7, [0, 2], [2, 1]), 0);
    assert.deepEqual(contiguousStrides([2, 3, 4]), [12, 4, 1]);
  });
});
