import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { jsCpu } from '../testing/js-cpu.js';
import { FlatAdam } from './flat-adam.js';
import { setLearningRate } from './learning-rate.js';

const SHAPES: readonly number[][] = [[3, 4], [4], [], [2, 2, 3]];

/** Variables of SHAPES with the same starting values for each optimizer under test. */
function variables(seed: number): tf.Variable[] {
  return SHAPES.map((shape, i) => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', seed + i)));
}

/** A loss whose gradient differs per variable and per step. */
function loss(vars: readonly tf.Variable[], step: number): tf.Scalar {
  return tf.addN(vars.map((v, i) => tf.sum(tf.mul(tf.square(tf.sub(v, 0.1 * (i + 1))), 1 + 0.5 * Math.sin(step + i))))) as tf.Scalar;
}

function train(optimizer: tf.Optimizer, vars: tf.Variable[], steps: number, from = 0): void {
  for (let s = from; s < from + steps; s++) {
    if (s === 3) setLearningRate(optimizer, 0.02);
    optimizer.minimize(() => loss(vars, s), true, vars)?.dispose();
  }
}

const values = (vars: readonly tf.Tensor[]) => vars.map((v) => Array.from(v.dataSync()));

/**
 * tf.train.adam computes 1 - beta2^t in float32 (1 - 0.999f is 1.3e-5 off), FlatAdam in double,
 * so their updates differ by a few parts in a million.
 */
function assertClose(actual: number[][], expected: number[][], tolerance = 1e-5): void {
  actual.forEach((a, i) => a.forEach((x, j) => assert.ok(Math.abs(x - expected[i]![j]!) <= tolerance * Math.max(1, Math.abs(expected[i]![j]!)), `value ${i}/${j}: ${x} against ${expected[i]![j]}`)));
}

describe('FlatAdam', () => {
  it('takes the same steps as tf.train.adam, learning-rate changes included', async () => {
    await jsCpu();
    const ours = variables(1);
    const theirs = variables(1);
    const flat = new FlatAdam(0.05);
    const reference = tf.train.adam(0.05);
    train(flat, ours, 6);
    train(reference, theirs, 6);
    assertClose(values(ours), values(theirs));
    assert.notDeepEqual(values(ours), values(variables(1)), 'the variables moved');
    assert.equal(flat.iterations, 6);
    tf.dispose([...ours, ...theirs]);
    flat.dispose();
    reference.dispose();
  });

  it('updates variable by variable on a backend that compiles whole steps, with the flat update\'s results and layout', async () => {
    await jsCpu();
    const flatVars = variables(5);
    const eachVars = variables(5);
    const flat = new FlatAdam(0.05);
    const each = new FlatAdam(0.05);
    train(flat, flatVars, 6);
    // The XLA backend says fusesWholeSteps; the CPU backend stands in for it here.
    const backend = tf.backend() as unknown as { fusesWholeSteps?: boolean };
    backend.fusesWholeSteps = true;
    try {
      train(each, eachVars, 6);
    } finally {
      delete backend.fusesWholeSteps;
    }
    assertClose(values(eachVars), values(flatVars), 1e-6);
    const [a, b] = [await flat.getWeights(), await each.getWeights()];
    // The same layout, each name with its own variable's.
    const slotNames = (weights: typeof a, vars: readonly tf.Variable[]) => weights.map((w) => vars.reduce((name, v, i) => name.replace(`${v.name}/`, `${i}/`), w.name));
    assert.deepEqual(slotNames(b, eachVars), slotNames(a, flatVars));
    assertClose(values(b.map((w) => w.tensor)), values(a.map((w) => w.tensor)), 1e-6);
    tf.dispose([...flatVars, ...eachVars, ...a.map((w) => w.tensor), ...b.map((w) => w.tensor)]);
    flat.dispose();
    each.dispose();
  });

  it("saves tf.train.adam's getWeights layout, and a restored optimizer goes on where it stopped", async () => {
    await jsCpu();
    const original = variables(10);
    const flat = new FlatAdam(0.05);
    train(flat, original, 4);
    const reference = tf.train.adam(0.05);
    const theirs = variables(10);
    train(reference, theirs, 4);

    const saved = await flat.getWeights();
    const expected = await reference.getWeights();
    const layout = (vars: readonly tf.Variable[]) => ['iter', ...vars.map((v) => `${v.name}/m`), ...vars.map((v) => `${v.name}/v`)];
    assert.deepEqual(saved.map((w) => w.name), layout(original));
    assert.deepEqual(expected.map((w) => w.name), layout(theirs));
    assert.deepEqual(saved.map((w) => w.tensor.shape), expected.map((w) => w.tensor.shape));
    assertClose(values(saved.map((w) => w.tensor)), values(expected.map((w) => w.tensor)), 1e-5);

    // A fresh optimizer on fresh variables (other names, as in a new process), from the saved state.
    const resumed = variables(10);
    resumed.forEach((v, i) => v.assign(original[i]!));
    // The learning rate is the scheduler's state, not the optimizer's: train() set it to 0.02 at step 3.
    const restored = new FlatAdam(0.02);
    await restored.setWeights(saved);
    tf.dispose(saved.map((w) => w.tensor));
    assert.equal(restored.iterations, 4);
    train(restored, resumed, 3, 4);
    train(flat, original, 3, 4);
    assertClose(values(resumed), values(original));
    tf.dispose([...original, ...theirs, ...resumed, ...expected.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable))]);
    [flat, reference, restored].forEach((o) => o.dispose());
  });

  it('leaves a variable without a gradient alone, and keeps moments by name when the variables change', async () => {
    await jsCpu();
    const [a, b] = [tf.variable(tf.scalar(1)), tf.variable(tf.tensor1d([1, 2]))];
    const flat = new FlatAdam(0.1);
    flat.applyGradients({ [a.name]: tf.scalar(1), [b.name]: tf.tensor1d([1, 1]) });
    const bBefore = Array.from(b.dataSync());
    // b frozen: only a moves; then b thawed again keeps the moments it had.
    flat.applyGradients({ [a.name]: tf.scalar(1) });
    assert.deepEqual(Array.from(b.dataSync()), bBefore);
    const reference = tf.train.adam(0.1);
    const [ra, rb] = [tf.variable(tf.scalar(1)), tf.variable(tf.tensor1d([1, 2]))];
    reference.applyGradients([{ name: ra.name, tensor: tf.scalar(1) }, { name: rb.name, tensor: tf.tensor1d([1, 1]) }]);
    reference.applyGradients([{ name: ra.name, tensor: tf.scalar(1) }]);
    assertClose(values([a, b]), values([ra, rb]));
    const slots = await flat.getWeights();
    assert.deepEqual(slots.map((s) => s.name), ['iter', `${a.name}/m`, `${a.name}/v`]);
    tf.dispose(slots.map((s) => s.tensor));
    flat.applyGradients({ [a.name]: tf.scalar(1), [b.name]: tf.tensor1d([1, 1]) });
    reference.applyGradients([{ name: ra.name, tensor: tf.scalar(1) }, { name: rb.name, tensor: tf.tensor1d([1, 1]) }]);
    assertClose(values([a]), values([ra]));
    tf.dispose([a, b, ra, rb]);
    flat.dispose();
    reference.dispose();
  });

  it('holds no more tensors after a step than before it', async () => {
    await jsCpu();
    const vars = variables(20);
    const flat = new FlatAdam(0.01);
    train(flat, vars, 2);
    const before = tf.memory().numTensors;
    train(flat, vars, 5, 2);
    assert.equal(tf.memory().numTensors, before);
    flat.dispose();
    assert.equal(tf.memory().numTensors, before - 2, 'dispose frees the two moment buffers');
    tf.dispose(vars);
  });

  it('refuses bad settings and malformed weights, naming what it expected', async () => {
    await jsCpu();
    assert.throws(() => new FlatAdam(0.01, 1), (e: unknown) => e instanceof StrataError && /beta1 must be in \[0, 1\); received 1/.test(e.message));
    assert.throws(() => new FlatAdam(Number.NaN), (e: unknown) => e instanceof StrataError && /learningRate/.test(e.message));
    const flat = new FlatAdam(0.01);
    const iter = tf.scalar(3, 'int32');
    const odd = tf.zeros([2]);
    await assert.rejects(flat.setWeights([{ name: 'iter', tensor: iter }, { name: 'x/m', tensor: odd }]), (e: unknown) => e instanceof StrataError && /then <variable>\/v/.test(e.message));
    const big = tf.zeros([3]);
    await assert.rejects(flat.setWeights([{ name: 'iter', tensor: iter }, { name: 'x/m', tensor: odd }, { name: 'x/v', tensor: big }]), (e: unknown) => e instanceof StrataError && /"x\/v" \(3 values\) does not match "x\/m" \(2 values\)/.test(e.message));
    tf.dispose([iter, odd, big]);
  });
});
