/** The element types a state dict's tensors may have, as their files name them. */
export type TensorDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** The file formats `readStateDict` reads. */
export type StateDictFormat = 'pth-zip' | 'pth-legacy' | 'safetensors';

/**
 * One tensor of a state dict: its shape and dtype as saved, and for floating-point tensors its
 * values as float32 in row-major (C) order. Integer and boolean tensors (batch norm's
 * `num_batches_tracked` counter) carry no values: no network weight is one.
 */
export interface StateDictTensor {
  readonly shape: readonly number[];
  readonly dtype: TensorDtype;
  readonly values: Float32Array | undefined;
}

/** The tensors of a weights file by key, in file order, and the format they came from. */
export interface StateDict {
  readonly format: StateDictFormat;
  readonly tensors: ReadonlyMap<string, StateDictTensor>;
}

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Readonly<Record<TensorDtype, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function isFloat(dtype: TensorDtype): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}
