import { StrataError, quote } from '@strata/core';
import { contiguousStrides, floatValues } from './float-values.js';
import { DTYPE_BYTES, isFloat, type StateDictTensor, type TensorDtype } from './state-dict.js';

/** safetensors' dtype names for the dtypes a state dict of weights holds. */
const DTYPES: Readonly<Record<string, TensorDtype>> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

interface HeaderEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

/** Whether `bytes` start like a safetensors file: an 8-byte header length, then a JSON object. */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return length > 1 && 8 + length <= bytes.length && bytes[8] === 0x7b; // '{'
}

/**
 * The tensors of a safetensors file: a little-endian u64 header length, a JSON header naming
 * each tensor's dtype, shape and byte range in the data that follows (row-major, little-endian).
 * `__metadata__` is not a tensor and is left out.
 */
export function readSafetensors(bytes: Uint8Array, source: string): Map<string, StateDictTensor> {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch (cause) {
    throw new StrataError('bad-input', `${source} has a safetensors header that is not JSON.`, { value: source, cause, fix: 'pass a file written by safetensors (save_file / save_model).' });
  }
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map<string, StateDictTensor>();
  for (const [key, raw] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const entry = raw as HeaderEntry;
    const dtype = DTYPES[entry.dtype];
    if (dtype === undefined) {
      throw new StrataError('bad-input', `Tensor ${quote(key)} in ${source} has safetensors dtype ${quote(entry.dtype)}, which Strata does not read.`, {
        value: entry.dtype,
        fix: `save the weights as one of ${Object.keys(DTYPES).join(', ')} (float32 for weights).`,
      });
    }
    const [begin, end] = entry.data_offsets;
    const shape = [...entry.shape];
    const count = shape.reduce((n, d) => n * d, 1);
    if (end - begin !== count * DTYPE_BYTES[dtype] || end > data.length) {
      throw new StrataError('bad-input', `Tensor ${quote(key)} in ${source} claims bytes [${begin}, ${end}) for shape [${shape}] of ${dtype}, which do not fit the file.`, {
        value: entry.data_offsets,
        fix: 'the file is truncated or corrupt: write it again.',
      });
    }
    const values = isFloat(dtype) ? floatValues(data.subarray(begin, end), dtype, 0, shape, contiguousStrides(shape)) : undefined;
    tensors.set(key, { shape, dtype, values });
  }
  return tensors;
}
