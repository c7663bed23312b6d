// TpuStrategy against the real XLA server (started here, stopped after): training, program
// reuse, reads, preflight, and the availability probe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
// The test helpers also register tfjs-backend-cpu, the reference the curves are compared to.
import { serverSkipReason, startServer, type ServerProcess } from '@strata/xla/testing';
import { strategyCurve } from './testing/strategy-curve.js';
import { tinyBatch, tinyCnn, type TinyCnnOptions } from './testing/tiny-cnn.js';
import { TpuStrategy } from './tpu-strategy.js';

const BATCH = 8;
const SIZE = 16; // strategyCurve uses the same image size
const STEPS = 4;

/** Loss curve of the tiny CNN on tfjs-backend-cpu: the reference. */
async function cpuCurve(options: TinyCnnOptions, steps = STEPS, batch = BATCH): Promise<number[]> {
  await tf.setBackend('cpu');
  const model = tinyCnn(options);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { x, y } = tinyBatch(batch, SIZE, 100 + i);
    const loss = tf.tidy(() => model.step(x, y));
    losses.push((await loss.data())[0]);
    tf.dispose([x, y, loss]);
  }
  model.dispose();
  return losses;
}

function assertClose(actual: number[], expected: number[], tol: number): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `step ${i}: ${a} vs ${expected[i]} (tolerance ${tol})\n${actual}\n${expected}`));
}

test('isAvailable() says why, quickly, when no server answers (never throws)', async () => {
  const t0 = Date.now();
  const availability = await new TpuStrategy({ address: 'grpc://127.0.0.1:1', probeTimeoutMs: 500 }).isAvailable();
  assert.equal(availability.available, false);
  if (!availability.available) {
    assert.match(availability.reason, /127\.0\.0\.1:1/);
    assert.match(availability.remedy, /strata_xla_server|STRATA_TPU_ADDRESS/);
  }
  assert.ok(Date.now() - t0 < 5000);
});

test('options are checked: cores and precision', () => {
  assert.throws(() => new TpuStrategy({ cores: 0 }), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option');
  assert.throws(() => new TpuStrategy({ precision: 'fp8' as never }), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option');
  const s = new TpuStrategy({ address: 'grpc://127.0.0.1:9' });
  assert.deepEqual([...s.capabilities().precisions].sort(), ['16-mixed', '32', 'bf16-mixed']);
  assert.equal(s.capabilities().syncReads, false);
  assert.equal(s.capabilities().compilesSteps, true);
});

const skip = serverSkipReason();

describe('TpuStrategy on a real XLA server (1 device)', { skip }, () => {
  let server: ServerProcess;
  let strategy: TpuStrategy;
  before(async () => {
    server = await startServer();
    strategy = new TpuStrategy({ address: server.address });
  });
  after(async () => {
    await strategy?.teardown();
    await server?.stop();
  });

  test('the tiny CNN trains with Adam: the loss curve of tfjs-backend-cpu, one compile, none after', async () => {
    const expected = await cpuCurve({ optimizer: 'adam' });
    assert.equal((await strategy.isAvailable()).available, true);
    await strategy.setup();
    const before = strategy.stats().compilations;
    const { losses, compilations, serverBuffers } = await strategyCurve(strategy, { optimizer: 'adam' }, STEPS, BATCH);
    assertClose(losses, expected, 1e-3);
    // Weights and optimizer state stay on the server; old buffers are released each step.
    assert.equal(serverBuffers[STEPS - 1], serverBuffers[1], `server buffers after each step: ${serverBuffers}`);
    assert.ok(losses[STEPS - 1] < losses[0], `loss should fall: ${losses}`);
    // The step program compiles once (first step); later steps reuse it.
    assert.deepEqual(
      compilations.map((c) => c - before),
      compilations.map(() => 1),
    );
  });

  test('SGD and RMSProp train too, each with one step program', async () => {
    for (const optimizer of ['sgd', 'rmsprop'] as const) {
      const expected = await cpuCurve({ optimizer, learningRate: 0.01 });
      const before = strategy.stats().compilations;
      const { losses, compilations } = await strategyCurve(strategy, { optimizer, learningRate: 0.01 }, STEPS, BATCH);
      assertClose(losses, expected, 1e-3);
      assert.equal(compilations[STEPS - 1] - before, 1, `${optimizer}: compilations ${compilations}`);
    }
  });

  test('bf16-mixed and 16-mixed train close to f32, each with its own program', async () => {
    const f32 = await strategyCurve(strategy, { optimizer: 'adam' }, STEPS, BATCH);
    try {
      for (const precision of ['bf16-mixed', '16-mixed'] as const) {
        strategy.setPrecision(precision);
        const before = strategy.stats().compilations;
        const mixed = await strategyCurve(strategy, { optimizer: 'adam' }, STEPS, BATCH);
        assert.equal(mixed.compilations[STEPS - 1] - before, 1, `${precision}: ${mixed.compilations}`);
        assertClose(mixed.losses, f32.losses, 2e-2);
        assert.notDeepEqual(mixed.losses, f32.losses, `${precision} should round differently from f32`);
      }
    } finally {
      strategy.setPrecision('32');
    }
    assert.throws(() => strategy.setPrecision('8' as never), (e: unknown) => e instanceof StrataError && e.kind === 'unsupported-precision');
  });

  test('reads are async: dataSync throws a StrataError that says so', async () => {
    const t = tf.add(tf.tensor([1, 2]), tf.tensor([3, 4]));
    assert.throws(() => t.dataSync(), (e: unknown) => e instanceof StrataError && /await tensor.data\(\)/.test(e.message));
    assert.deepEqual([...(await t.data())], [4, 6]);
    t.dispose();
  });

  test('preflight names every kernel without a lowering, and runs nothing', async () => {
    const executions = strategy.stats().executions;
    const report = await strategy.preflight(() => {
      const x = tf.tensor([0.5, -0.5]);
      tf.erf(tf.relu(tf.isInf(x).cast('float32').add(x)));
    });
    assert.deepEqual(report.missingKernels, ['Erf', 'IsInf']);
    assert.ok(report.kernels.includes('Relu') && report.kernels.includes('Add'), String(report.kernels));
    assert.equal(strategy.stats().executions, executions);
  });

  test('a small result comes back with its Execute: reading the loss needs no Fetch', async () => {
    const w = tf.tensor2d([[1, 2], [3, 4]]);
    const [loss, big] = await strategy.runStep(() => {
      const y = tf.matMul(w, w);
      return [tf.mean(y), tf.tile(y, [4, 4])];
    });
    const fetches = strategy.stats().fetches;
    assert.deepEqual([...(await loss.data())], [13.5]);
    assert.equal(strategy.stats().fetches, fetches, 'the scalar was inlined');
    assert.equal((await big.data()).length, 64);
    assert.equal(strategy.stats().fetches, fetches + 1, 'a 64-element result is fetched');
    tf.dispose([w, loss, big]);
  });

  test('describe() lists the server devices', () => {
    const d = strategy.describe();
    assert.equal(d.strategy, 'tpu');
    assert.equal(d.backend, 'xla');
    assert.equal(d.devices.length, 1);
    assert.match(d.engine, /XLA server \(cpu/);
  });
});

describe('TpuStrategy on a server that requires a token', { skip }, () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ token: 'strata-test-token' });
  });
  after(async () => {
    await server?.stop();
  });

  test('without the token: unavailable, and the remedy names the token; with it: trains a step', async () => {
    const denied = await new TpuStrategy({ address: server.address, token: 'wrong' }).isAvailable();
    assert.equal(denied.available, false);
    if (!denied.available) assert.match(denied.reason, /token/i);
    await assert.rejects(new TpuStrategy({ address: server.address, token: 'wrong' }).setup(), (e: unknown) => {
      return e instanceof StrataError && e.kind === 'server-error' && /token/.test(e.message);
    });
    const strategy = new TpuStrategy({ address: server.address, token: 'strata-test-token' });
    try {
      await strategy.setup();
      const x = tf.tensor([1, 2, 3]);
      const y = await strategy.runStep(() => tf.mul(x, 2));
      assert.deepEqual([...(await strategy.read(y))], [2, 4, 6]);
      tf.dispose([x, y]);
    } finally {
      await strategy.teardown();
    }
  });
});
