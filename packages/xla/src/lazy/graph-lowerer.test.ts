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

test('equal host temporaries of a step share one argument; live tensors keep theirs', async () => {
  const backend = recordingBackend();
  await tf.setBackend('xla');
  const w = tf.tensor1d([1, 2, 3]);
  const live = tf.scalar(0.5); // made before the step and kept: its own argument
  const out = tf.tidy(() => {
    // Three temporaries, two of them equal (tfjs's optimizers make their scalars per variable).
    const a = tf.mul(w, tf.scalar(0.5));
    const b = tf.mul(a, tf.scalar(0.5));
    return tf.add(tf.mul(b, tf.scalar(0.25)), live);
  });
  const program = backend.lowerPending()!;
  assert.equal(program.params.length, 4, 'w, one 0.5 temporary, 0.25, and the live 0.5');
  tf.dispose([w, live, out]);
});

test('a cut seen before reuses its text; an absent optional input is part of the structure', async () => {
  const backend = recordingBackend();
  await tf.setBackend('xla');
  const lower = (withScale: boolean) => {
    const out = tf.tidy(() => {
      const x = tf.tensor4d([2, 100, 4, 400], [2, 1, 1, 2]);
      const [mean, variance, third] = [tf.tensor1d([1, 2]), tf.tensor1d([2, 3]), tf.tensor1d([3, 4])];
      // Offset without scale, or scale without offset: the same inputs, in other slots.
      return withScale ? tf.batchNorm4d(x, mean, variance, undefined, third) : tf.batchNorm4d(x, mean, variance, third);
    });
    const program = backend.lowerPending()!;
    out.dispose();
    return program;
  };
  const first = lower(false);
  const hits = backend.loweringCacheHits;
  const again = lower(false);
  assert.equal(backend.loweringCacheHits, hits + 1);
  assert.equal(again.hash, first.hash);
  const other = lower(true);
  assert.notEqual(other.hash, first.hash);
});
