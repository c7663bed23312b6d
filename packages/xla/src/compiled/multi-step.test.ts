// Several replays of a compiled step in one execution (`step.many`, Keras's steps_per_execution)
// on a local XLA:CPU server: the same results step for step as one call per step, the host
// work of every step redone in order, one Execute for all of them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { dynamicScalar, hostEffect, stepOutput } from '@strata/core';
import { LocalXlaStrategy } from '../local-xla-strategy.js';

const strategy = new LocalXlaStrategy({ platform: 'cpu' });
before(async () => {
  await strategy.setup();
});
after(async () => {
  await strategy.teardown();
});

interface Model {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
  /** Steps taken, counted on the host: the learning rate decays with it, as a scheduler's. */
  steps: number;
  readonly logged: number[];
  readonly pending: tf.Tensor[];
}

function makeModel(tag: string): Model {
  return strategy.scope(() => ({
    w: tf.variable(tf.tensor2d([[0.5], [-0.25], [1]]), true, `w_${tag}`),
    b: tf.variable(tf.scalar(0.1), true, `b_${tag}`),
    steps: 0,
    logged: [],
    pending: [],
  }));
}

/** SGD whose learning rate the host computes from its own step count, a number input, a logged value. */
function sgdStep(m: Model) {
  return ({ x, y, scale }: { x: tf.Tensor2D; y: tf.Tensor2D; scale: number }) => {
    const { value, grads } = tf.variableGrads(() => tf.mul(tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, m.w), m.b)), scale) as tf.Scalar, [m.w, m.b]);
    const lr = dynamicScalar(() => 0.1 / (1 + m.steps));
    m.w.assign(tf.sub(m.w, tf.mul(grads[m.w.name], lr)));
    m.b.assign(tf.sub(m.b, tf.mul(grads[m.b.name], lr)));
    hostEffect(() => m.steps++);
    stepOutput(tf.mul(value, 2), (t) => m.pending.push(tf.keep(t.clone())));
    return { loss: value };
  };
}

function batch(i: number, rows = 4) {
  return strategy.scope(() => {
    const x = tf.tensor2d(Array.from({ length: rows * 3 }, (_, k) => Math.sin(i * 12 + k)), [rows, 3]);
    const y = tf.tensor2d(Array.from({ length: rows }, (_, k) => Math.cos(i * 4 + k)), [rows, 1]);
    return { ...strategy.distributeBatch({ x, y }), scale: 1 + i / 10 };
  });
}

async function train(groups: readonly number[], tag: string, rows: (i: number) => number = () => 4) {
  const m = makeModel(tag);
  const step = strategy.compileStep(sgdStep(m), { name: 'test step' });
  const losses: number[] = [];
  let i = 0;
  for (const size of groups) {
    const inputs = Array.from({ length: size }, (_, k) => batch(i + k, rows(i + k)));
    i += size;
    const outs = size === 1 ? [await step(inputs[0])] : await step.many(inputs);
    for (const out of outs) losses.push((await strategy.read(out.loss))[0]);
    tf.dispose([...outs.map((o) => o.loss), ...inputs.flatMap((x) => [x.x, x.y])]);
  }
  for (const t of m.pending) m.logged.push((await strategy.read(t))[0]);
  const w = Array.from(await strategy.read(m.w));
  tf.dispose([m.w, m.b, ...m.pending]);
  return { losses, w, steps: m.steps, logged: m.logged };
}

test('steps run in one execution equal one call per step: losses, weights, host effects, handed-over values', async () => {
  const stats = strategy.stats();
  const single = await train([1, 1, 1, 1, 1, 1, 1, 1, 1], 'single');
  const before = stats.executions;
  const grouped = await train([1, 1, 4, 3], 'grouped');
  // Two single calls (the warm-up trace and the traced replay plan's first run), then one Execute per group.
  assert.equal(stats.executions - before, 4, 'one execution for each group of steps');
  assert.equal(grouped.steps, 9);
  single.losses.forEach((l, i) => assert.ok(Math.abs(l - grouped.losses[i]) <= 1e-6, `loss ${i}: ${l} vs ${grouped.losses[i]}`));
  single.w.forEach((v, i) => assert.ok(Math.abs(v - grouped.w[i]) <= 1e-6, `weight ${i}: ${v} vs ${grouped.w[i]}`));
  assert.equal(grouped.logged.length, 9);
  grouped.logged.forEach((v, i) => assert.ok(Math.abs(v - 2 * grouped.losses[i]) <= 1e-6));
});

test('inputs of different shapes, or a step not yet traced, run one call each, with the same results', async () => {
  const single = await train([1, 1, 1, 1, 1], 'single-b', (i) => (i === 3 ? 2 : 4));
  const grouped = await train([2, 3], 'grouped-b', (i) => (i === 3 ? 2 : 4));
  single.losses.forEach((l, i) => assert.ok(Math.abs(l - grouped.losses[i]) <= 1e-6, `loss ${i}: ${l} vs ${grouped.losses[i]}`));
  assert.equal(grouped.steps, 5);
});

test('tensors stay flat across groups of steps', async () => {
  const m = makeModel('flat');
  const step = strategy.compileStep(sgdStep(m), { name: 'test step' });
  const counts: number[] = [];
  for (let round = 0; round < 5; round++) {
    const inputs = Array.from({ length: 3 }, (_, k) => batch(round * 3 + k));
    const outs = await step.many(inputs);
    tf.dispose([...outs.map((o) => o.loss), ...inputs.flatMap((x) => [x.x, x.y]), ...m.pending.splice(0)]);
    counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[4], counts[2], `tensors after each round: ${counts}`);
  tf.dispose([m.w, m.b]);
});

test('over 4 devices, split batches of 8 rows and padded ones of 6 give the single-device steps', async () => {
  const run = async (s: LocalXlaStrategy, groups: readonly number[], rows: number, tag: string) => {
    const m = s.scope(() => ({ w: tf.variable(tf.tensor2d([[0.5], [-0.25], [1]]), true, `w4_${tag}`), b: tf.variable(tf.scalar(0.1), true, `b4_${tag}`), steps: 0, logged: [], pending: [] as tf.Tensor[] }));
    const step = s.compileStep(sgdStep(m), { name: 'test step' });
    const losses: number[] = [];
    let i = 0;
    for (const size of groups) {
      const inputs = Array.from({ length: size }, (_, k) =>
        s.scope(() => {
          const x = tf.tensor2d(Array.from({ length: rows * 3 }, (_, n) => Math.sin((i + k) * 12 + n)), [rows, 3]);
          const y = tf.tensor2d(Array.from({ length: rows }, (_, n) => Math.cos((i + k) * 4 + n)), [rows, 1]);
          return { ...s.distributeBatch({ x, y }), scale: 1 };
        }),
      );
      i += size;
      const outs = size === 1 ? [await step(inputs[0])] : await step.many(inputs);
      for (const out of outs) losses.push((await s.read(out.loss))[0]);
      tf.dispose([...outs.map((o) => o.loss), ...inputs.flatMap((x) => [x.x, x.y]), ...m.pending.splice(0)]);
    }
    const w = Array.from(await s.read(m.w));
    tf.dispose([m.w, m.b]);
    return { losses, w };
  };
  // The single-device runs first: tensors of one strategy are not read under another.
  const singles = new Map<number, { losses: number[]; w: number[] }>();
  for (const rows of [8, 6]) singles.set(rows, await run(strategy, [1, 1, 1, 1, 1, 1], rows, `one${rows}`));
  const four = new LocalXlaStrategy({ platform: 'cpu', devices: 4 });
  await four.setup();
  try {
    for (const rows of [8, 6]) {
      const single = singles.get(rows)!;
      const grouped = await run(four, [1, 1, 4], rows, `four${rows}`);
      single.losses.forEach((l, i) => assert.ok(Math.abs(l - grouped.losses[i]) <= 1e-5, `${rows} rows, loss ${i}: ${l} vs ${grouped.losses[i]}`));
      single.w.forEach((v, i) => assert.ok(Math.abs(v - grouped.w[i]) <= 1e-5, `${rows} rows, weight ${i}: ${v} vs ${grouped.w[i]}`));
    }
  } finally {
    await four.teardown();
  }
});
