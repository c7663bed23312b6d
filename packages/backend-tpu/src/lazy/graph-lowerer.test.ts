// Canonical lowering: the same graph gives the same text and hash whatever the values and
// tensor ids; host-written values are arguments, never constants.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { recordingBackend } from '../testing/lowering-check.js';
import { shardingOf } from './graph-lowerer.js';

async function lowerStep(scale: number, batch: number): Promise<{ text: string; hash: string; params: number }> {
  const backend = recordingBackend();
  await tf.setBackend('xla');
  const out = tf.tidy(() => {
    const x = tf.fill([batch, 3], scale); // host fill: an argument
    const w = tf.tensor2d([[scale], [2], [3]]);
    const lr = tf.scalar(scale * 0.01);
    return tf.sub(tf.matMul(tf.relu(x), w), lr);
  });
  const program = backend.lowerPending()!;
  out.dispose();
  return { text: program.text, hash: program.hash, params: program.params.length };
}

test('same graph, other values and tensor ids: same text and hash', async () => {
  const a = await lowerStep(1, 4);
  const b = await lowerStep(7, 4);
  assert.equal(a.text, b.text);
  assert.equal(a.hash, b.hash);
  assert.equal(a.params, 3);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
});

test('another shape: another program', async () => {
  const a = await lowerStep(1, 4);
  const b = await lowerStep(1, 5);
  assert.notEqual(a.hash, b.hash);
});

test('host scalars are arguments, not constants in the text', async () => {
  const a = await lowerStep(123.25, 4);
  // 123.25 * 0.01 and 123.25 as f32 bits must not appear.
  assert.doesNotMatch(a.text, /0x42F68000|1\.2325/);
  assert.match(a.text, /@main\(%arg0: tensor<4x3xf32>, %arg1: tensor<3x1xf32>, %arg2: tensor<f32>\)/);
});

test('sharding: replicated parameters, batch split along dim 0', () => {
  assert.equal(shardingOf('replicated', 2, 8), '{replicated}');
  assert.equal(shardingOf('split', 4, 8), '{devices=[8,1,1,1]<=[8]}');
  assert.equal(shardingOf('split', 4, 1), '{replicated}');
});
