import type { TensorDtype } from './state-dict.js';

/**
 * The values of a little-endian storage of a floating-point dtype as float32, gathered through
 * a view (`offset`, `shape`, `stride`, all in elements) into row-major order. A PyTorch tensor is
 * such a view: a checkpoint may hold transposed or sliced tensors whose storage is not in the
 * tensor's own order. float16 and bfloat16 widen exactly; float64 rounds to the nearest float32.
 */
export function floatValues(bytes: Uint8Array, dtype: TensorDtype, offset: number, shape: readonly number[], stride: readonly number[]): Float32Array {
  return gather(storageAsFloat32(bytes, dtype), offset, shape, stride);
}

/** A row-major tensor of `shape` with its axes reordered: axis i of the result is axis `perm[i]` of `values`. */
export function permuted(values: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const stride = contiguousStrides(shape);
  return gather(values, 0, perm.map((axis) => shape[axis]!), perm.map((axis) => stride[axis]!));
}

/** One past the last element a view reads (0 for an empty view): it must not exceed the storage's length. */
export function viewEnd(offset: number, shape: readonly number[], stride: readonly number[]): number {
  if (shape.some((d) => d === 0)) return 0;
  return offset + shape.reduce((end, d, axis) => end + (d - 1) * stride[axis]!, 0) + 1;
}

/** The strides of a contiguous row-major tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    stride[axis] = step;
    step *= shape[axis]!;
  }
  return stride;
}

/** IEEE 754 binary16 to a number: sign, 5-bit exponent, 10-bit fraction. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The elements of a view of `source`, in row-major order. */
function gather(source: Float32Array, offset: number, shape: readonly number[], stride: readonly number[]): Float32Array {
  const count = shape.reduce((n, d) => n * d, 1);
  const contiguous = contiguousStrides(shape);
  if (stride.every((s, axis) => s === contiguous[axis] || shape[axis] === 1)) return source.slice(offset, offset + count);
  const out = new Float32Array(count);
  if (count === 0) return out;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < count; i++) {
    out[i] = source[at]!;
    // Advance the multi-index like an odometer, moving `at` by the strides.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      at += stride[axis]!;
      if (index[axis]! < shape[axis]!) break;
      at -= stride[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

/** A whole little-endian storage as float32 values. */
function storageAsFloat32(bytes: Uint8Array, dtype: TensorDtype): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32':
      // One copy, which also aligns the bytes.
      return new Float32Array(bytes.slice(0, bytes.length - (bytes.length % 4)).buffer);
    case 'float64':
      return Float32Array.from({ length: Math.floor(bytes.length / 8) }, (_, e) => view.getFloat64(e * 8, true));
    case 'float16':
      return Float32Array.from({ length: Math.floor(bytes.length / 2) }, (_, e) => halfToFloat(view.getUint16(e * 2, true)));
    case 'bfloat16': {
      // bfloat16 is the upper half of a float32.
      const words = new Uint32Array(Math.floor(bytes.length / 2));
      for (let e = 0; e < words.length; e++) words[e] = view.getUint16(e * 2, true) << 16;
      return new Float32Array(words.buffer);
    }
    default:
      throw new Error(`floatValues: ${dtype} is not a floating-point dtype`);
  }
}
