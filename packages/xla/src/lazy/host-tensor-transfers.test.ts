// How host tensors reach a local XLA:CPU server: a new one goes by value with the Execute
// call; one used again is uploaded once and stays there, so a tensor used call after call
// crosses the wire once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { LocalXlaStrategy } from '../local-xla-strategy.js';

const strategy = new LocalXlaStrategy({ platform: 'cpu' });

before(async () => {
  await strategy.setup();
});
after(async () => {
  await strategy.teardown();
});

test('a host tensor goes by value once, is uploaded on its second use, and then travels no more', async () => {
  const x = strategy.scope(() => tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]));
  const counts = () => ({ literals: strategy.stats().literals, uploads: strategy.stats().uploads });
  const sums: number[] = [];
  const seen: { literals: number; uploads: number }[] = [];
  const start = counts();
  for (let call = 0; call < 4; call++) {
    // A new scale each call, so every run needs x on the server.
    const y = strategy.scope(() => tf.sum(tf.mul(x, tf.scalar(call + 1))));
    sums.push((await y.data())[0]!);
    y.dispose();
    const now = counts();
    seen.push({ literals: now.literals - start.literals, uploads: now.uploads - start.uploads });
  }
  assert.deepEqual(sums, [21, 42, 63, 84]);
  // Per call: x and the scale by value in the first; the scale by value and x uploaded in the
  // second; from then on the scale alone, x staying on the server.
  assert.deepEqual(seen, [
    { literals: 2, uploads: 0 },
    { literals: 3, uploads: 1 },
    { literals: 4, uploads: 1 },
    { literals: 5, uploads: 1 },
  ]);
  x.dispose();
});

test('a new tensor each call (a training loop reading batches) goes by value every time and uploads nothing', async () => {
  const start = strategy.stats().uploads;
  for (let call = 0; call < 3; call++) {
    const y = strategy.scope(() => {
      const batch = tf.tensor1d([call, call + 1, call + 2]);
      return tf.sum(batch);
    });
    assert.equal((await y.data())[0], 3 * call + 3);
    y.dispose();
  }
  assert.equal(strategy.stats().uploads - start, 0);
});
