import * as tf from '@tensorflow/tfjs-core';

/** One tensor of a batch, copied to the host. */
interface HostTensor {
  readonly hostTensor: true;
  readonly values: tf.TypedArray | Uint8Array[];
  readonly shape: number[];
  readonly dtype: tf.DataType;
}

/** A batch with each tensor copied to the host, so that every strategy measured gets its own copy. */
export type HostBatch = HostTensor | readonly HostBatch[] | { readonly [key: string]: HostBatch } | string | number | boolean | null | undefined;

/** The shape and dtype of each tensor of a batch, with its path: part of the model's signature. */
export interface BatchLeaf {
  readonly path: string;
  readonly shape: readonly number[];
  readonly dtype: string;
}

/** Copies every tensor of `batch` to the host (the batch itself is left to the caller). */
export async function readHostBatch(batch: tf.TensorContainer): Promise<HostBatch> {
  if (batch instanceof tf.Tensor) {
    const values = (await batch.data()) as tf.TypedArray | Uint8Array[];
    return { hostTensor: true, values: ArrayBuffer.isView(values) ? values.slice() : values, shape: [...batch.shape], dtype: batch.dtype };
  }
  if (Array.isArray(batch)) return Promise.all(batch.map((b) => readHostBatch(b as tf.TensorContainer)));
  if (isPlainObject(batch)) {
    const out: Record<string, HostBatch> = {};
    for (const [key, value] of Object.entries(batch)) out[key] = await readHostBatch(value as tf.TensorContainer);
    return out;
  }
  return batch as HostBatch;
}

/** New tensors, on the active backend, holding the batch's values. */
export function hostBatchTensors(batch: HostBatch): tf.TensorContainer {
  if (isHostTensor(batch)) return tf.tensor(batch.values, batch.shape, batch.dtype);
  if (Array.isArray(batch)) return batch.map((b: HostBatch) => hostBatchTensors(b));
  if (isPlainObject(batch)) {
    const out: Record<string, tf.TensorContainer> = {};
    for (const [key, value] of Object.entries(batch)) out[key] = hostBatchTensors(value as HostBatch);
    return out;
  }
  return batch as tf.TensorContainer;
}

/** Each tensor's path, shape and dtype, in a fixed order. */
export function batchLeaves(batch: HostBatch, path = 'batch'): BatchLeaf[] {
  if (isHostTensor(batch)) return [{ path, shape: batch.shape, dtype: batch.dtype }];
  if (Array.isArray(batch)) return batch.flatMap((b: HostBatch, i: number) => batchLeaves(b, `${path}[${i}]`));
  if (isPlainObject(batch)) {
    return Object.keys(batch)
      .sort()
      .flatMap((key) => batchLeaves((batch as Record<string, HostBatch>)[key], `${path}.${key}`));
  }
  return [];
}

function isHostTensor(value: unknown): value is HostTensor {
  return typeof value === 'object' && value !== null && (value as HostTensor).hostTensor === true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof tf.Tensor) && !ArrayBuffer.isView(value) && !Array.isArray(value);
}
