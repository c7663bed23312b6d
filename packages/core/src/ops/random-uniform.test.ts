import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerCpuBackendWith, seedInput } from '../testing/cpu-backend-with-kernel.js';
// The built package, as the other packages use it.
import { STRATA_RANDOM_UNIFORM, StrataError, backendDrawsRandomNumbers, randomUniformFromSeed } from '@strata/core';

function valuesOf(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

describe('randomUniformFromSeed on the cpu backend (drawn on the host)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('has no kernel of its own on cpu', () => {
    assert.equal(backendDrawsRandomNumbers(), false);
  });

  it('draws float32 values in [0, 1) of the asked shape, with mean about 0.5 and variance about 1/12', () => {
    const u = randomUniformFromSeed([100, 100], 7);
    assert.deepEqual(u.shape, [100, 100]);
    assert.equal(u.dtype, 'float32');
    const v = valuesOf(u);
    assert.ok(v.every((x) => x >= 0 && x < 1), 'every value in [0, 1)');
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    // 10,000 draws: the mean's standard error is 0.0029, the variance's about 0.0008.
    assert.ok(Math.abs(mean - 0.5) < 0.015, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 12) < 0.005, `variance ${variance}`);
  });

  it('gives the same values for the same seed, as a number or an int32 scalar, and others for another seed', () => {
    const a = valuesOf(randomUniformFromSeed([64], 3));
    assert.deepEqual(valuesOf(randomUniformFromSeed([64], 3)), a);
    const seed = tf.scalar(3, 'int32');
    assert.deepEqual(valuesOf(randomUniformFromSeed([64], seed)), a);
    seed.dispose();
    const b = valuesOf(randomUniformFromSeed([64], 4));
    assert.ok(b.some((x, i) => x !== a[i]), 'seed 4 draws other values than seed 3');
  });

  it('refuses a bad shape or seed, naming the value', () => {
    const bad = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && pattern.test(e.message));
    bad(() => randomUniformFromSeed([2, -1], 1), /shape must be a list of non-negative integers; received \[2,-1\]/);
    bad(() => randomUniformFromSeed([2], 1.5), /an int32 integer; received 1.5/);
    bad(() => randomUniformFromSeed([2], 2 ** 31), /received 2147483648/);
    const floatSeed = tf.scalar(1);
    bad(() => randomUniformFromSeed([2], floatSeed), /received a float32 tensor of shape \[\]/);
    floatSeed.dispose();
  });

  it('leaks no tensor', () => {
    const seed = tf.scalar(5, 'int32');
    const before = tf.memory().numTensors;
    randomUniformFromSeed([3, 4], seed).dispose();
    randomUniformFromSeed([3, 4], 5).dispose();
    assert.equal(tf.memory().numTensors, before);
    seed.dispose();
  });
});

describe('randomUniformFromSeed on a backend with the kernel', () => {
  const BACKEND = 'cpu-with-random-kernel';
  let seedsSeen: number[] = [];

  before(async () => {
    // A cpu backend whose StrataRandomUniform kernel fills each element with the seed / 1000,
    // so the test sees which seed tensor the op handed to the kernel.
    await registerCpuBackendWith(BACKEND, STRATA_RANDOM_UNIFORM, (inputs, attrs, cpu) => {
      const seed = seedInput(inputs, cpu);
      seedsSeen.push(seed);
      const shape = attrs.shape as number[];
      return cpu.makeTensorInfo(shape, 'float32', new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(seed / 1000));
    });
    await tf.setBackend(BACKEND);
  });

  it('runs the backend kernel with the seed as a tensor and the shape as an attribute', async () => {
    seedsSeen = [];
    assert.equal(backendDrawsRandomNumbers(), true);
    const u = randomUniformFromSeed([2, 3], 250);
    assert.deepEqual(u.shape, [2, 3]);
    assert.deepEqual(valuesOf(u), new Array(6).fill(0.25));
    assert.deepEqual(seedsSeen, [250]);
    await tf.setBackend('cpu');
  });
});
