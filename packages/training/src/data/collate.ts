import * as tf from '@tensorflow/tfjs-core';
import { StrataError, quote } from '@strata/core';
import type { HostTensor, Sample } from './dataset.js';

/** A batch: named tensors whose first dimension is the batch. */
export type Batch = Record<string, tf.Tensor>;

/**
 * Stacks samples into a batch: host tensors of shape S become [n, ...S], numbers become [n].
 * Tensors are created on the active tfjs backend, i.e. the strategy's.
 */
export function defaultCollate(samples: readonly Sample[]): Batch {
  if (samples.length === 0) throw new StrataError('data-error', 'Cannot collate an empty list of samples.');
  const batch: Batch = {};
  for (const key of Object.keys(samples[0])) {
    const first = samples[0][key];
    if (typeof first === 'number') {
      const values = new Float32Array(samples.length);
      samples.forEach((s, i) => (values[i] = expectNumber(s[key], key, i)));
      batch[key] = tf.tensor1d(values, 'float32');
      continue;
    }
    const size = first.data.length;
    const dtype = first.dtype ?? (first.data instanceof Int32Array ? 'int32' : 'float32');
    const values = dtype === 'int32' ? new Int32Array(size * samples.length) : new Float32Array(size * samples.length);
    samples.forEach((s, i) => {
      const item = s[key];
      if (typeof item === 'number' || item === undefined || item.data.length !== size) {
        throw new StrataError('data-error', `Sample ${i} has field ${quote(key)} of a different size than sample 0 (${size} values).`, {
          value: typeof item === 'number' ? item : item?.shape,
          fix: 'resize or crop every sample to the same shape before batching (for images, add a Resize transform).',
        });
      }
      values.set(item.data, i * size);
    });
    batch[key] = tf.tensor(values, [samples.length, ...first.shape], dtype);
  }
  return batch;
}

function expectNumber(value: HostTensor | number | undefined, key: string, index: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new StrataError('data-error', `Sample ${index} has field ${quote(key)} = ${quote(value)}, expected a finite number.`, {
      value,
      fix: 'check the dataset for missing or non-numeric labels.',
    });
  }
  return value;
}
