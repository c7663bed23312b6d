import type { BackendValues } from '@tensorflow/tfjs-core';

type FlatValues = Float32Array | Int32Array | Uint8Array | Uint8Array[];

/** `count` equal blocks of a row-major value's `rows` rows (views, not copies, of typed arrays). */
export function sliceRows(values: BackendValues, rows: number, count: number): BackendValues[] {
  const flat = values as FlatValues;
  const block = rows === 0 ? 0 : (flat.length / rows) * (rows / count);
  return Array.from({ length: count }, (_, p) => (Array.isArray(flat) ? flat.slice(p * block, (p + 1) * block) : flat.subarray(p * block, (p + 1) * block)));
}

/** The blocks of a value, joined in order into one value of their type. */
export function concatValues(parts: readonly BackendValues[]): BackendValues {
  const flats = parts as readonly FlatValues[];
  const first = flats[0];
  if (Array.isArray(first)) return (flats as Uint8Array[][]).flat();
  const total = flats.reduce((n, part) => n + part.length, 0);
  const out = new (first.constructor as new (length: number) => Float32Array | Int32Array | Uint8Array)(total);
  let offset = 0;
  for (const part of flats as (Float32Array | Int32Array | Uint8Array)[]) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
