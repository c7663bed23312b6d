// Compiled steps on a local XLA:CPU server: a replay equals the traced run step for step, runs
// no JavaScript of the step, redoes host work, and refuses (or catches in verify mode) what it
// cannot replay.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError, dynamicScalar, hostEffect, stepOutput } from '@strata/core';
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
  lr: number;
  steps: number;
  readonly logged: tf.Tensor[];
}

function makeModel(tag: string): Model {
  return strategy.scope(() => ({
    w: tf.variable(tf.tensor2d([[0.5], [-0.25], [1]]), true, `w_${tag}`),
    b: tf.variable(tf.scalar(0.1), true, `b_${tag}`),
    lr: 0.1,
    steps: 0,
    logged: [],
  }));
}

/** One SGD step whose learning rate changes between calls (a dynamic scalar) and which counts and logs on the host. */
function sgdStep(m: Model) {
  return ({ x, y, scale }: { x: tf.Tensor2D; y: tf.Tensor2D; scale: number }) => {
    const { value, grads } = tf.variableGrads(() => tf.mul(tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, m.w), m.b)), scale) as tf.Scalar, [m.w, m.b]);
    const lr = dynamicScalar(() => m.lr);
    m.w.assign(tf.sub(m.w, tf.mul(grads[m.w.name], lr)));
    m.b.assign(tf.sub(m.b, tf.mul(grads[m.b.name], lr)));
    hostEffect(() => m.steps++);
    stepOutput(value, (t) => m.logged.push(tf.keep(t.clone())));
    return { loss: value };
  };
}

function batch(i: number) {
  return strategy.scope(() => {
    const x = tf.tensor2d(Array.from({ length: 12 }, (_, k) => Math.sin(i * 12 + k)), [4, 3]);
    const y = tf.tensor2d(Array.from({ length: 4 }, (_, k) => Math.cos(i * 4 + k)), [4, 1]);
    return strategy.distributeBatch({ x, y });
  });
}

async function train(compiled: boolean, steps: number, tag: string, dispatch?: 'synchronous' | 'asynchronous') {
  const m = makeModel(tag);
  const fn = sgdStep(m);
  const step = strategy.compileStep(fn, { name: 'test step', verify: false, dispatch });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const inputs = { ...batch(i), scale: 1 + i / 10 };
    m.lr = 0.1 / (1 + i); // a scheduler
    const out = compiled ? await step(inputs) : await strategy.runStep(() => fn(inputs));
    losses.push((await strategy.read(out.loss))[0]);
    tf.dispose([out.loss, inputs.x, inputs.y]);
  }
  const w = Array.from(await strategy.read(m.w));
  const logged = await Promise.all(m.logged.map(async (t) => (await strategy.read(t))[0]));
  tf.dispose([m.w, m.b, ...m.logged]);
  return { losses, w, steps: m.steps, logged };
}

test('a replayed step equals the traced one step for step: a changing learning rate, a number input, host effects and handed-over values', async () => {
  const stats = strategy.stats();
  const traced = await train(false, 6, 'a');
  const tracesBefore = stats.traces;
  const replaysBefore = stats.replays;
  const compiled = await train(true, 6, 'b');
  assert.equal(stats.traces - tracesBefore, 1, 'traced once');
  assert.equal(stats.replays - replaysBefore, 5, 'replayed after');
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(traced.losses[i] - compiled.losses[i]) <= 1e-6, `loss ${i}: ${traced.losses[i]} vs ${compiled.losses[i]}`);
  compiled.w.forEach((v, i) => assert.ok(Math.abs(v - traced.w[i]) <= 1e-6));
  assert.equal(compiled.steps, 6);
  assert.deepEqual(compiled.logged, compiled.losses);
});

test('asynchronous dispatch: the same losses, weights and logged values; a replay\'s loss is fetched when read, not sent inline', async () => {
  const stats = strategy.stats();
  let before = stats.fetches;
  const synchronous = await train(true, 6, 'sync', 'synchronous');
  const syncFetches = stats.fetches - before;
  before = stats.fetches;
  const asynchronous = await train(true, 6, 'async', 'asynchronous');
  const asyncFetches = stats.fetches - before;
  assert.deepEqual(asynchronous.losses, synchronous.losses);
  assert.deepEqual(asynchronous.w, synchronous.w);
  assert.deepEqual(asynchronous.logged, synchronous.logged);
  assert.equal(asynchronous.steps, 6);
  // The 5 replays' losses and logged values came back with their runs when synchronous; read from the server when not.
  assert.ok(asyncFetches >= syncFetches + 10, `fetches: ${syncFetches} synchronous, ${asyncFetches} asynchronous`);
  const unused = makeModel('bad');
  assert.throws(() => strategy.compileStep(sgdStep(unused), { dispatch: 'later' as never }), (e: unknown) => e instanceof StrataError && /dispatch is "later"/.test(e.message) && /'asynchronous'/.test(e.fix ?? ''));
  tf.dispose([unused.w, unused.b]);
});

test('a replay runs none of the step\'s kernels in JavaScript', async () => {
  const m = makeModel('c');
  let calls = 0;
  const fn = sgdStep(m);
  const step = strategy.compileStep((inputs: { x: tf.Tensor2D; y: tf.Tensor2D; scale: number }) => {
    calls++;
    return fn(inputs);
  });
  for (let i = 0; i < 4; i++) {
    const inputs = { ...batch(i), scale: 1 };
    const out = await step(inputs);
    tf.dispose([out.loss, inputs.x, inputs.y]);
  }
  assert.equal(calls, 1);
  // Another batch size is another signature: traced again, then replayed.
  for (let i = 0; i < 2; i++) {
    const { x, y } = strategy.scope(() => strategy.distributeBatch({ x: tf.ones([2, 3]) as tf.Tensor2D, y: tf.ones([2, 1]) as tf.Tensor2D }));
    const out = await step({ x, y, scale: 1 });
    tf.dispose([out.loss, x, y]);
  }
  assert.equal(calls, 2);
  tf.dispose([m.w, m.b, ...m.logged]);
});

test('tensors stay flat across replays', async () => {
  const m = makeModel('d');
  const step = strategy.compileStep(sgdStep(m));
  const counts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const inputs = { ...batch(i), scale: 1 };
    const out = await step(inputs);
    tf.dispose([out.loss, inputs.x, inputs.y, ...m.logged.splice(0)]);
    counts.push(tf.memory().numTensors);
  }
  assert.deepEqual(counts.slice(2), [counts[1], counts[1], counts[1]]);
  tf.dispose([m.w, m.b]);
});

test('a host read inside the step is refused at trace time, naming the op', async () => {
  const m = makeModel('e');
  const step = strategy.compileStep(({ x }: { x: tf.Tensor2D }) => {
    const s = tf.sum(tf.matMul(x, m.w));
    if ((s.dataSync()[0] as number) > 0) return { out: tf.neg(s) };
    return { out: s };
  }, { name: 'branching step' });
  const { x, y } = batch(0);
  await assert.rejects(step({ x }), (e: unknown) => e instanceof StrataError && /branching step reads the result of Sum on the host/.test(e.message) && /tf\.where/.test(e.fix ?? ''));
  tf.dispose([x, y, m.w, m.b]);
});

test('a step that keeps a tensor without returning it runs traced, with one warning', async () => {
  const m = makeModel('f');
  const kept: tf.Tensor[] = [];
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    const step = strategy.compileStep(({ x }: { x: tf.Tensor2D }) => {
      const h = tf.matMul(x, m.w);
      kept.push(tf.keep(tf.relu(h)));
      return { out: tf.sum(h) };
    }, { name: 'leaky step' });
    let calls = 0;
    for (let i = 0; i < 3; i++) {
      const { x, y } = batch(i);
      const out = await step({ x });
      calls++;
      tf.dispose([out.out, x, y]);
    }
    assert.equal(calls, 3);
    assert.equal(kept.length, 3, 'the JavaScript ran every time');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /leaky step runs traced at every call/);
    assert.match(warnings[0], /of Relu/);
  } finally {
    console.warn = original;
    tf.dispose([...kept, m.w, m.b]);
  }
});

test('verify mode catches a replay that froze a changing host number', async () => {
  const m = makeModel('g');
  let factor = 1;
  const step = strategy.compileStep(({ x }: { x: tf.Tensor2D }) => ({ out: tf.mul(tf.sum(tf.matMul(x, m.w)), factor) }), { name: 'frozen step', verify: true });
  const { x, y } = batch(0);
  const first = await step({ x });
  tf.dispose(first.out);
  // The same factor: the replay and the traced run agree.
  const second = await step({ x });
  tf.dispose(second.out);
  factor = 3;
  await assert.rejects(step({ x }), (e: unknown) => e instanceof StrataError && e.kind === 'replay-mismatch' && /output 0/.test(e.message));
  tf.dispose([x, y, m.w, m.b]);
});
