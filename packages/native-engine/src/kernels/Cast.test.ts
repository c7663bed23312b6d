import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { compareWithCpu, kernelsOff, notBuilt, runOn } from '../testing/kernel-check.js';

describe('Cast on the native engine', { skip: notBuilt || kernelsOff }, () => {
  it('shares the data for the same dtype and still converts between dtypes', async () => {
    await compareWithCpu(() => {
      const f = tf.tensor1d([1.5, -2.25, 3]);
      const i = tf.tensor1d([1, -2, 3], 'int32');
      const b = tf.tensor1d([1, 0, 1], 'bool');
      return [tf.cast(f, 'float32'), tf.cast(f, 'int32'), tf.cast(i, 'float32'), tf.cast(b, 'float32'), tf.cast(i, 'int32')];
    }, 0);
  });

  it('counts references: the source outlives its same-dtype cast and the other way round', async () => {
    await runOn('tensorflow', () => {
      const a = tf.tensor1d([1, 2, 3]);
      const b = tf.cast(a, 'float32');
      a.dispose();
      assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
      const c = tf.cast(b, 'float32');
      b.dispose();
      return [c];
    });
  });
});
