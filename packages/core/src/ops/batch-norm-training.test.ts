import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The built package: its tfjs gradient registrations are bundled at build time.
import { STRATA_BATCH_NORM_TRAINING, StrataError, batchNormTraining, batchNormTrainingGradient } from '@strata/core';

const SHAPE: [number, number, number, number] = [2, 3, 4, 5];
const EPSILON = 1e-3;

/** tfjs-layers' training batch norm, which batchNormTraining must equal. */
function reference(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, offset, scale, EPSILON);
}

function inputs(): { x: tf.Tensor4D; scale: tf.Tensor1D; offset: tf.Tensor1D; w: tf.Tensor4D } {
  return {
    x: tf.add(tf.randomNormal(SHAPE, 0, 2, 'float32', 1), 0.5) as tf.Tensor4D,
    scale: tf.randomNormal([5], 1, 0.3, 'float32', 2) as tf.Tensor1D,
    offset: tf.randomNormal([5], 0, 1, 'float32', 3) as tf.Tensor1D,
    w: tf.randomNormal(SHAPE, 0, 1, 'float32', 4) as tf.Tensor4D,
  };
}

function assertClose(got: tf.Tensor, want: tf.Tensor, tolerance: number, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.dataSync();
  const w = want.dataSync();
  w.forEach((v, i) => assert.ok(Math.abs(g[i]! - v) <= tolerance * Math.max(1, Math.abs(v)), `${what}[${i}]: ${g[i]}, want ${v}`));
}

describe('batchNormTraining', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('is tfjs-layers\' moments + batchNorm, with tfjs\'s gradients, where the backend has no fused kernel', () => {
    assert.equal(tf.getKernel(STRATA_BATCH_NORM_TRAINING, 'cpu'), undefined, 'tfjs-backend-cpu has no fused kernel');
    tf.tidy(() => {
      const { x, scale, offset, w } = inputs();
      const got = batchNormTraining(x, scale, offset, EPSILON);
      assertClose(got.y, reference(x, scale, offset), 0, 'y');
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      assertClose(got.mean, mean, 0, 'mean');
      assertClose(got.variance, variance, 0, 'variance');
      const loss = (f: typeof reference) => (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D), w));
      const gotGrads = tf.grads(loss((a, s, o) => batchNormTraining(a, s, o, EPSILON).y))([x, scale, offset]);
      const wantGrads = tf.grads(loss(reference))([x, scale, offset]);
      gotGrads.forEach((g, i) => assertClose(g, wantGrads[i]!, 1e-5, `gradient ${i}`));
      // One node on the tape, whose gradient is Strata's, not each op's.
      assert.ok(tf.getKernel(STRATA_BATCH_NORM_TRAINING, 'cpu'), 'the composed kernel is registered for the backend on first use');
    });
  });

  it('has tfjs\'s second derivative (the statistics computed again under the outer tape)', () => {
    tf.tidy(() => {
      const { x, scale, offset, w } = inputs();
      const secondOrder = (f: typeof reference) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.square(f(b as tf.Tensor4D, scale, offset)), w)))(a), w)))(x);
      assertClose(secondOrder((a, s, o) => batchNormTraining(a, s, o, EPSILON).y), secondOrder(reference), 1e-4, 'second derivative');
    });
  });

  it('gives its statistics no gradient (they feed running averages)', () => {
    tf.tidy(() => {
      const { x, scale, offset } = inputs();
      const grads = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = batchNormTraining(a as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D, EPSILON);
        return tf.add(tf.sum(mean), tf.sum(variance));
      })([x, scale, offset]);
      for (const g of grads) assert.ok(g.dataSync().every((v) => v === 0));
    });
  });

  it('has a gradient formula (used without a gradient kernel) equal to tfjs\'s composed gradient', () => {
    tf.tidy(() => {
      const { x, scale, offset, w } = inputs();
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const zeros = tf.zeros([5]);
      const got = batchNormTrainingGradient.gradFunc([w, zeros, zeros], [x, scale, mean, variance], { varianceEpsilon: EPSILON });
      const want = tf.grads((a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(reference(a as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D), w)))([x, scale, offset]);
      assertClose(got.x!(), want[0]!, 1e-5, 'dx');
      assertClose(got.scale!(), want[1]!, 1e-5, 'dscale');
      assertClose(got.offset!(), want[2]!, 1e-5, 'doffset');
    });
  });

  it('refuses input that is not NHWC, statistics of the wrong size and a non-positive epsilon, naming the value', () => {
    tf.tidy(() => {
      const { x, scale, offset } = inputs();
      const refuses = (f: () => unknown, pattern: RegExp) =>
        assert.throws(f, (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && pattern.test(e.message) && e.fix !== undefined);
      refuses(() => batchNormTraining(tf.zeros([4, 5]) as unknown as tf.Tensor4D, scale, offset), /rank 4; received shape \[4,5\]/);
      refuses(() => batchNormTraining(x, tf.ones([4]) as tf.Tensor1D, offset), /scale must have shape \[5\].*\[4\]/);
      refuses(() => batchNormTraining(x, scale, tf.zeros([5, 1]) as unknown as tf.Tensor1D), /offset must have shape \[5\].*\[5,1\]/);
      refuses(() => batchNormTraining(x, scale, offset, 0), /epsilon must be a positive number; received 0/);
      refuses(() => batchNormTraining(tf.cast(x, 'int32'), scale, offset), /x must be float32; received "int32"/);
    });
  });

  it('keeps no tensors beyond what it returns', () => {
    const { x, scale, offset } = inputs();
    const before = tf.memory().numTensors;
    const out = batchNormTraining(x, scale, offset);
    assert.equal(tf.memory().numTensors, before + 3);
    tf.dispose([out.y, out.mean, out.variance, x, scale, offset]);
  });
});
