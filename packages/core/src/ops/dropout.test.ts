import { strict as assert } from 'node:assert';
import { after, afterEach, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerCpuBackendWith, seedInput } from '../testing/cpu-backend-with-kernel.js';
// The built package: its tfjs gradient registrations are bundled at build time.
import {
  STRATA_RANDOM_UNIFORM,
  StrataError,
  dropout,
  globalRngState,
  nextDropoutSeed,
  seedEverything,
  setGlobalRngState,
  unseedEverything,
  withStepTracer,
  type StepTracer,
} from '@strata/core';

function valuesOf(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

/** A tracer that keeps the dynamic scalars a traced step makes and its refusals, as a compiling strategy does. */
function recordingTracer(): StepTracer & { reads: (() => number)[]; refusals: string[] } {
  const reads: (() => number)[] = [];
  const refusals: string[] = [];
  return {
    reads,
    refusals,
    onDynamicScalar: (_tensor, read) => void reads.push(read),
    onHostEffect: () => undefined,
    onStepOutput: () => undefined,
    onRefuseReplay: (reason) => void refusals.push(reason),
  };
}

after(() => unseedEverything());

describe('dropout on the cpu backend', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => unseedEverything());

  it('keeps about 1 - rate of the values, scaled by 1 / (1 - rate), and zeroes the others', () => {
    seedEverything(1);
    const rate = 0.3;
    const y = valuesOf(dropout(tf.fill([200, 50], 2), rate));
    const kept = y.filter((v) => v !== 0);
    assert.ok(kept.every((v) => Math.abs(v - 2 / (1 - rate)) < 1e-5), `kept values are 2 / 0.7, got ${kept.slice(0, 3)}`);
    const fraction = kept.length / y.length;
    // 10,000 draws: the kept fraction's standard error is 0.0046.
    assert.ok(Math.abs(fraction - (1 - rate)) < 0.02, `kept fraction ${fraction}`);
  });

  it('with a noise shape, keeps or drops whole slices (drop-connect: whole samples)', () => {
    seedEverything(2);
    const x = tf.ones([64, 3, 3, 2]);
    const y = dropout(x, 0.5, [64, 1, 1, 1]);
    const perSample = tf.tidy(() => tf.reshape(y, [64, 18]).arraySync() as number[][]);
    for (const sample of perSample) assert.ok(sample.every((v) => v === sample[0]) && (sample[0] === 0 || sample[0] === 2), `one value a sample: ${sample}`);
    const kept = perSample.filter((s) => s[0] !== 0).length;
    assert.ok(kept > 16 && kept < 48, `${kept} of 64 samples kept at rate 0.5`);
    tf.dispose([x, y]);
  });

  it('null in a noise shape takes x\'s size', () => {
    seedEverything(3);
    const y = dropout(tf.ones([4, 5]), 0.5, [null, 1]);
    const rows = y.arraySync() as number[][];
    for (const row of rows) assert.ok(row.every((v) => v === row[0]));
    y.dispose();
  });

  it('draws the same masks after the same seedEverything, and continues from a restored state', () => {
    const x = tf.ones([100]);
    seedEverything(42);
    const first = valuesOf(dropout(x, 0.5));
    const saved = globalRngState()!;
    const second = valuesOf(dropout(x, 0.5));
    assert.ok(second.some((v, i) => v !== first[i]), 'each call draws a new mask');
    seedEverything(42);
    assert.deepEqual(valuesOf(dropout(x, 0.5)), first);
    seedEverything(7);
    setGlobalRngState(saved);
    assert.deepEqual(valuesOf(dropout(x, 0.5)), second);
    x.dispose();
  });

  it('rate 0 gives x\'s values', () => {
    const x = tf.tensor([1, 2, 3]);
    assert.deepEqual(valuesOf(dropout(x, 0)), [1, 2, 3]);
    x.dispose();
  });

  it('passes gradients through the kept values only, scaled by 1 / keep', () => {
    seedEverything(5);
    const x = tf.fill([50], 3);
    const seed = globalRngState()!;
    const y = valuesOf(dropout(x, 0.25));
    setGlobalRngState(seed);
    const g = valuesOf(tf.grad((input: tf.Tensor) => tf.sum(dropout(input, 0.25)))(x));
    g.forEach((v, i) => assert.ok(Math.abs(v - (y[i]! === 0 ? 0 : 1 / 0.75)) < 1e-6, `gradient ${i}: ${v}`));
    x.dispose();
  });

  it('refuses a bad rate, a non-float input or a noise shape that does not fit, naming the value', () => {
    const bad = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && pattern.test(e.message));
    const x = tf.ones([2, 3]);
    const ints = tf.ones([2], 'int32');
    bad(() => dropout(x, 1), /rate must be a number in \[0, 1\); received 1/);
    bad(() => dropout(x, -0.1), /received -0.1/);
    bad(() => dropout(ints, 0.5), /x must be a float32 tensor; received a int32 tensor/);
    bad(() => dropout(x, 0.5, [2, 2]), /noiseShape \[2,2\] does not fit x's shape \[2,3\]/);
    bad(() => dropout(x, 0.5, [2]), /noiseShape \[2\] does not fit/);
    tf.dispose([x, ints]);
  });

  it('inside a traced step on a backend that draws on the host, refuses the replay, saying why, and still drops', () => {
    const x = tf.ones([400]);
    const tracer = recordingTracer();
    const y = valuesOf(withStepTracer(tracer, () => dropout(x, 0.5)));
    assert.equal(tracer.reads.length, 0, 'no dynamic scalar: the seed is a host number');
    assert.equal(tracer.refusals.length, 1);
    assert.match(tracer.refusals[0]!, /dropout draws its mask on the host on the tfjs backend "cpu", and a replay would reuse the traced mask/);
    const kept = y.filter((v) => v !== 0).length;
    assert.ok(kept > 140 && kept < 260, `${kept} of 400 kept`);
    x.dispose();
  });

  it('leaks no tensor, forward or backward', () => {
    const x = tf.ones([8, 4]);
    const before = tf.memory().numTensors;
    dropout(x, 0.5).dispose();
    dropout(x, 0.5, [8, 1]).dispose();
    dropout(x, 0).dispose();
    tf.grad((input: tf.Tensor) => tf.sum(dropout(input, 0.5)))(x).dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
});

describe('dropout on a backend that draws random numbers itself', () => {
  const BACKEND = 'cpu-drawing-dropout-masks';
  const seedsSeen: number[] = [];

  before(async () => {
    // A cpu backend with a StrataRandomUniform kernel (tfjs's generator seeded with the seed
    // tensor's value), which records each seed it is handed.
    await registerCpuBackendWith(BACKEND, STRATA_RANDOM_UNIFORM, (inputs, attrs, cpu) => {
      const seed = seedInput(inputs, cpu);
      seedsSeen.push(seed);
      const shape = attrs.shape as number[];
      const u = tf.randomUniform(shape, 0, 1, 'float32', seed);
      const info = cpu.makeTensorInfo(shape, 'float32', u.dataSync() as Float32Array);
      u.dispose();
      return info;
    });
    await tf.setBackend(BACKEND);
  });
  after(async () => {
    await tf.setBackend('cpu');
  });

  it('takes its seed as a dynamic scalar of the traced step: each replay reads a new seed from the global generator', () => {
    seedEverything(11);
    const expectedSeeds = [nextDropoutSeed(), nextDropoutSeed(), nextDropoutSeed()];
    seedEverything(11);
    seedsSeen.length = 0;
    const tracer = recordingTracer();
    const x = tf.ones([16]);
    withStepTracer(tracer, () => dropout(x, 0.5).dispose());
    assert.equal(tracer.reads.length, 1, 'one dynamic scalar: the seed');
    assert.deepEqual(tracer.refusals, [], 'the step may replay');
    assert.deepEqual(seedsSeen, [expectedSeeds[0]], 'the kernel ran with the traced seed');
    // What a replay does: it calls read() again, in order, and passes the value to the program.
    assert.deepEqual([tracer.reads[0]!(), tracer.reads[0]!()], expectedSeeds.slice(1));
    x.dispose();
  });

  it('draws its mask from the kernel, with one seed a call', () => {
    seedEverything(12);
    seedsSeen.length = 0;
    const x = tf.ones([2000]);
    const y = valuesOf(dropout(x, 0.4));
    assert.equal(seedsSeen.length, 1);
    const kept = y.filter((v) => v !== 0);
    assert.ok(kept.every((v) => Math.abs(v - 1 / 0.6) < 1e-5));
    assert.ok(Math.abs(kept.length / y.length - 0.6) < 0.05, `kept ${kept.length / y.length}`);
    x.dispose();
  });
});
