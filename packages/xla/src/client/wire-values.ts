import type { BackendValues, DataType } from '@tensorflow/tfjs-core';

/** Tensor values as the protocol's little-endian element bytes (bool: one byte each, 0 or 1). */
export function toBytes(values: BackendValues, dtype: DataType): Buffer {
  if (dtype === 'bool') return Buffer.from(Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0)));
  const typed = dtype === 'int32' ? Int32Array.from(values as ArrayLike<number>) : values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  return Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** The protocol's element bytes as tensor values of `size` elements. */
export function fromBytes(bytes: Buffer, dtype: DataType, size: number): BackendValues {
  if (dtype === 'bool') return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + size));
  // Copy into a fresh, aligned buffer: gRPC's buffers may start at any offset.
  const copy = new ArrayBuffer(size * 4);
  new Uint8Array(copy).set(bytes.subarray(0, size * 4));
  return dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
}
