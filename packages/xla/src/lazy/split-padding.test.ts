// Split batches whose rows do not divide by the devices: padded on the way to the server,
// sliced back to their true rows in the program, results at their true shapes. Checked on a
// local XLA server with 8 forced CPU devices against the same work on 1 device.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { serverSkipReason, startServer, type ServerProcess } from '../testing/server-process.js';
import { XlaStrategy } from '../xla-strategy.js';
import { padRows, trueRows, wireShape } from './split-padding.js';

const ROWS = 30;
const FEATURES = 3;
const STEPS = 4;

test('wireShape pads dimension 0 of a split tensor up to a multiple of the devices, and nothing else', () => {
  assert.deepEqual(wireShape([30, 3], 'split', 8), [32, 3]);
  assert.deepEqual(wireShape([32, 3], 'split', 8), [32, 3]);
  assert.deepEqual(wireShape([30, 3], 'replicated', 8), [30, 3]);
  assert.deepEqual(wireShape([30, 3], 'split', 1), [30, 3]);
  assert.deepEqual(wireShape([5], 'split', 4), [8]);
  const padded = padRows(Int32Array.of(1, 2, 3, 4, 5, 6), [3, 2], [4, 2]);
  assert.deepEqual([...(padded as Int32Array)], [1, 2, 3, 4, 5, 6, 0, 0]);
  assert.ok(padded instanceof Int32Array);
  assert.deepEqual([...(trueRows(padded, [3, 2]) as Int32Array)], [1, 2, 3, 4, 5, 6]);
});

/** Inputs and targets of step i: 30 rows, different every step. */
function batchOf(i: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.tensor2d(Array.from({ length: ROWS * FEATURES }, (_, k) => Math.sin(i * 97 + k * 0.37)), [ROWS, FEATURES]);
  const y = tf.tensor2d(Array.from({ length: ROWS }, (_, k) => Math.cos(i * 31 + k * 0.71)), [ROWS, 1]);
  return { x, y };
}

interface Run {
  losses: number[];
  predictions: number[][];
  compilations: number[];
  weights: number[];
}

/** SGD on a linear model through a compiled step: the loss per step, the per-example predictions, the compilations after each step. */
async function train(strategy: XlaStrategy): Promise<Run> {
  const w = strategy.scope(() => tf.variable(tf.tensor2d([[0.5], [-0.25], [1]]), true, 'w_pad'));
  const b = strategy.scope(() => tf.variable(tf.scalar(0.1), true, 'b_pad'));
  const step = strategy.compileStep(({ x, y }: { x: tf.Tensor2D; y: tf.Tensor2D }) => {
    const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, w), b)) as tf.Scalar, [w, b]);
    const predictions = tf.add(tf.matMul(x, w), b);
    w.assign(tf.sub(w, tf.mul(grads[w.name], 0.1)));
    b.assign(tf.sub(b, tf.mul(grads[b.name], 0.1)));
    return { loss: value, predictions };
  }, { name: 'padded step' });
  const run: Run = { losses: [], predictions: [], compilations: [], weights: [] };
  for (let i = 0; i < STEPS; i++) {
    const batch = strategy.distributeBatch(strategy.scope(() => batchOf(i)));
    const { loss, predictions } = await step(batch);
    assert.deepEqual(predictions.shape, [ROWS, 1]);
    run.losses.push((await strategy.read(loss))[0]);
    run.predictions.push([...(await strategy.read(predictions))]);
    run.compilations.push(strategy.stats().compilations);
    tf.dispose([batch.x, batch.y, loss, predictions]);
  }
  run.weights = [...(await strategy.read(w)), ...(await strategy.read(b))];
  tf.dispose([w, b]);
  return run;
}

describe('a split batch of 30 rows on 8 devices', { skip: serverSkipReason() }, () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ devices: 8 });
  });
  after(async () => {
    await server?.stop();
  });

  test('is padded to 32 rows on the wire, sliced back to 30 in the program, and its results have 30 rows', async () => {
    const eight = new XlaStrategy({ address: server.address, cores: 8 });
    try {
      await eight.setup();
      const backend = eight.xlaBackend();
      const { x } = eight.distributeBatch(eight.scope(() => ({ x: tf.tensor2d(Array.from({ length: ROWS * 2 }, (_, k) => k), [ROWS, 2]) })));
      const sum = tf.sum(x, 0);
      const doubled = tf.mul(x, 2);
      const program = backend.lowerPending()!;
      assert.match(program.text, /%arg0: tensor<32x2xf32> \{mhlo\.sharding = "\{devices=\[8,1\]<=\[8\]\}"\}/);
      assert.match(program.text, /stablehlo\.slice.*limit_indices = array<i64: 30, 2>/);
      // The padding rows are zeros but the sum must not depend on that: its value is the 30 rows' sum.
      const colSums = [0, 1].map((c) => Array.from({ length: ROWS }, (_, r) => r * 2 + c).reduce((a, v) => a + v, 0));
      assert.deepEqual([...(await sum.data())], colSums);
      assert.deepEqual(doubled.shape, [ROWS, 2]);
      assert.deepEqual([...(await doubled.data())], Array.from({ length: ROWS * 2 }, (_, k) => 2 * k));
      // A batch too large to go by value is uploaded padded: a read fetches 32 rows and gives its 30 back.
      const wide = 10_000;
      const { big } = eight.distributeBatch(eight.scope(() => ({ big: tf.tensor2d(Float32Array.from({ length: ROWS * wide }, (_, k) => k % 977), [ROWS, wide]) })));
      const bigSum = tf.sum(big);
      await bigSum.data();
      assert.equal(backend.recordOf(big.dataId)!.source.kind, 'device');
      const back = (await big.data()) as Float32Array;
      assert.equal(back.length, ROWS * wide);
      assert.ok(back.every((v, k) => v === k % 977));
      tf.dispose([big, bigSum]);
      // A mean's reduction leaves the padding out (a zero row would pull it towards 0).
      const mean = tf.mean(tf.add(x, 1000));
      assert.ok(Math.abs((await mean.data())[0] - (1000 + (ROWS * 2 - 1) / 2)) < 1e-3);
      tf.dispose([x, sum, doubled, mean]);
    } finally {
      await eight.teardown();
    }
  });

  test('trains through a compiled step as 1 device does, with one compilation', async () => {
    const eight = new XlaStrategy({ address: server.address, cores: 8 });
    let r8: Run;
    try {
      await eight.setup();
      r8 = await train(eight);
    } finally {
      await eight.teardown();
    }
    const one = new XlaStrategy({ address: server.address, cores: 1 });
    let r1: Run;
    try {
      await one.setup();
      r1 = await train(one);
    } finally {
      await one.teardown();
    }
    const curve = Math.max(...r8.losses.map((l, i) => Math.abs(l - r1.losses[i])));
    const predictions = Math.max(...r8.predictions.flatMap((p, i) => p.map((v, k) => Math.abs(v - r1.predictions[i][k]))));
    const weights = Math.max(...r8.weights.map((v, i) => Math.abs(v - r1.weights[i])));
    console.log(`split padding, 30 rows on 8 devices vs 1: max loss difference ${curve.toExponential(2)}, predictions ${predictions.toExponential(2)}, weights ${weights.toExponential(2)}`);
    assert.ok(curve < 1e-4, `loss curves differ by ${curve}: ${r8.losses} vs ${r1.losses}`);
    assert.ok(predictions < 1e-4, `predictions differ by ${predictions}`);
    assert.ok(weights < 1e-4, `weights differ by ${weights}`);
    assert.ok(r8.losses[STEPS - 1] < r8.losses[0], `the loss falls: ${r8.losses}`);
    r8.predictions.forEach((p) => assert.equal(p.length, ROWS));
    // Traced once, replayed after: the padded program compiles once, not once per step.
    assert.equal(r8.compilations[STEPS - 1], r8.compilations[0], `compilations after each step: ${r8.compilations}`);
  });

  test('a batch computed on the devices (pending, or a program result) trains on 8 devices as on 1, whether or not its rows divide', async () => {
    const losses = new Map<number, number[]>();
    for (const cores of [8, 1]) {
      const strategy = new XlaStrategy({ address: server.address, cores });
      try {
        await strategy.setup();
        const w = strategy.scope(() => tf.variable(tf.tensor2d([[0.5], [-0.25], [1]]), true, `w_computed_${cores}`));
        const out: number[] = [];
        for (const rows of [32, 30]) {
          for (const settled of [false, true]) {
            // Made by ops on the XLA backend: pending until a flush, then results of a program.
            const batch = strategy.scope(() => {
              const x = tf.sin(tf.add(tf.tensor2d(Array.from({ length: rows * FEATURES }, (_, k) => k * 0.37), [rows, FEATURES]), rows));
              return { x, y: tf.cast(tf.greater(tf.slice(x, [0, 0], [rows, 1]), 0), 'float32') };
            });
            if (settled) await strategy.read(batch.y);
            const placed = strategy.distributeBatch(batch);
            const loss = await strategy.runStep(() => {
              const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(placed.y, tf.matMul(placed.x, w)) as tf.Scalar, [w]);
              w.assign(tf.sub(w, tf.mul(grads[w.name], 0.1)));
              return value;
            });
            out.push((await strategy.read(loss))[0]);
            tf.dispose([batch.x, batch.y, loss]);
          }
        }
        tf.dispose(w);
        losses.set(cores, out);
      } finally {
        await strategy.teardown();
      }
    }
    const [eight, one] = [losses.get(8)!, losses.get(1)!];
    const worst = Math.max(...eight.map((l, i) => Math.abs(l - one[i])));
    assert.ok(worst < 1e-5, `losses differ by ${worst}: ${eight} vs ${one}`);
  });
});
