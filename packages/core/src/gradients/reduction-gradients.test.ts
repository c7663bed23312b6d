import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The built package: its tfjs gradient registrations are bundled at build time.
import '@strata/core';

/** The gradient tfjs-core itself computes: dy reshaped, times ones of x's shape, over the count. */
function reference(dy: tf.Tensor, shape: number[], axes: number[], count: number): tf.Tensor {
  const kept = shape.map((s, i) => (axes.includes(i) ? 1 : s));
  return tf.div(tf.mul(tf.reshape(dy, kept), tf.ones(shape, 'float32')), count);
}

describe('Sum and Mean gradients', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  const cases: { shape: number[]; axis: number | number[] | undefined; keepDims: boolean }[] = [
    { shape: [2, 3, 4, 5], axis: [0, 1, 2], keepDims: false },
    { shape: [2, 3, 4, 5], axis: [1, 2], keepDims: true },
    { shape: [3, 4], axis: -1, keepDims: false },
    { shape: [3, 4], axis: undefined, keepDims: false },
    { shape: [5], axis: 0, keepDims: true },
  ];

  for (const { shape, axis, keepDims } of cases) {
    it(`match tfjs-core's for shape [${shape}], axis ${JSON.stringify(axis)}, keepDims ${keepDims}`, () => {
      tf.tidy(() => {
        const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
        const axes = tf.util.parseAxisParam(axis ?? null, shape);
        const outShape = tf.sum(x, axis, keepDims).shape;
        const dy = tf.randomNormal(outShape, 0, 1, 'float32', 4);
        const count = axes.reduce((n, a) => n * shape[a], 1);
        const gotSum = tf.grad((t: tf.Tensor) => tf.sum(t, axis, keepDims))(x, dy);
        const gotMean = tf.grad((t: tf.Tensor) => tf.mean(t, axis, keepDims))(x, dy);
        assert.deepEqual(gotSum.shape, shape);
        assert.deepEqual(Array.from(gotSum.dataSync()), Array.from(reference(dy, shape, axes, 1).dataSync()));
        assert.deepEqual(Array.from(gotMean.dataSync()), Array.from(reference(dy, shape, axes, count).dataSync()));
      });
    });
  }

  it('no longer builds ones the size of x on the host', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([4, 8, 8, 16], 0, 1, 'float32', 5);
      // tf.ones and every other host-made tensor go through the engine's makeTensor.
      const sizes: number[] = [];
      const engine = tf.engine();
      const makeTensor = engine.makeTensor.bind(engine);
      engine.makeTensor = (values, shape, dtype, backend) => {
        sizes.push(tf.util.sizeFromShape(shape));
        return makeTensor(values, shape, dtype, backend);
      };
      try {
        tf.grad((t: tf.Tensor) => tf.mean(tf.sum(t, [1, 2])))(x);
      } finally {
        engine.makeTensor = makeTensor;
      }
      assert.ok(Math.max(...sizes) < x.size, `a host write of ${Math.max(...sizes)} elements; x has ${x.size}`);
    });
  });
});
