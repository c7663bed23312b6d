import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The built package: its tfjs gradient registrations are bundled at build time.
import { overrideGradient } from '@strata/core';

const gradOfSquare = (x: tf.Tensor) => tf.grad((t: tf.Tensor) => tf.square(t))(x);

describe('overrideGradient', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('applies only while its backend is active, and falls back where it declines', () => {
    const x = tf.tensor1d([1, 2, 3]);
    assert.deepEqual(Array.from(gradOfSquare(x).dataSync()), [2, 4, 6]);
    // Another backend's gradient leaves cpu's alone.
    overrideGradient('Square', 'some-other-backend', () => ({ x: () => tf.zeros([3]) }));
    assert.deepEqual(Array.from(gradOfSquare(x).dataSync()), [2, 4, 6]);
    // cpu's own: used while cpu is active...
    let declines = false;
    overrideGradient('Square', 'cpu', (dy) => (declines ? undefined : { x: () => tf.mul(dy, 10) }));
    assert.deepEqual(Array.from(gradOfSquare(x).dataSync()), [10, 10, 10]);
    // ...and tfjs's gradient where it declines.
    declines = true;
    assert.deepEqual(Array.from(gradOfSquare(x).dataSync()), [2, 4, 6]);
    x.dispose();
  });
});
