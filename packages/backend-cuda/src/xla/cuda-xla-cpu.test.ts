// The CUDA strategy's XLA engine on the XLA:CPU platform (forced host devices): the same
// child-server path as on GPUs, without one. Data parallel over 4 devices against 1, 16-bit
// precision with the Trainer's loss scaling, too many devices, and a server killed mid-step.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError, createStrata, type Precision } from '@strata/core';
import { Trainer } from '@strata/training';
import { localXlaServerUnavailableReason } from '@strata/xla';
import cudaModule from '../cuda-module.js';
import { CudaStrategy } from '../cuda-strategy.js';
import { TinyMlpModule, tinyLoader } from '../testing/tiny-mlp-module.js';

const skip = localXlaServerUnavailableReason();

/** Per-step losses of the tiny MLP through the Trainer (one batch an epoch). */
async function curve(strategy: CudaStrategy, epochs: number, precision: Precision = '32'): Promise<number[]> {
  await strategy.setup();
  const module = strategy.scope(() => new TinyMlpModule());
  const trainer = new Trainer({ strategy, maxEpochs: epochs, numSanityValSteps: 0, enableProgressBar: false, precision });
  try {
    await trainer.fit(module, tinyLoader());
    return trainer.history.map((m) => m.train_loss);
  } finally {
    trainer.optimizer?.dispose();
    tf.dispose(module.parameters());
  }
}

describe('CudaStrategy, XLA engine on XLA:CPU', { skip }, () => {
  let one: CudaStrategy;
  before(() => {
    one = new CudaStrategy({ platform: 'cpu', engine: 'xla' });
  });
  after(async () => {
    await one?.teardown();
  });

  test('4 devices follow the 1-device loss curve within 1e-4: batch split, gradients all-reduced', async (t) => {
    const four = new CudaStrategy({ platform: 'cpu', engine: 'xla', devices: 4 });
    let losses4: number[];
    try {
      assert.equal(four.engineName(), 'xla');
      assert.equal(four.capabilities().maxReplicas, 4);
      losses4 = await curve(four, 4);
      const report = four.describe();
      assert.equal(report.numReplicas, 4);
      assert.equal(report.devices.length, 4);
      assert.match(report.engine, /^XLA:CPU .* on 4 device\(s\), local XLA server, pid \d+/);
      assert.equal(report.details.engine, 'xla');
    } finally {
      await four.teardown();
    }
    const losses1 = await curve(one, 4);
    t.diagnostic(`losses, 4 devices: ${losses4.join(' ')}; 1 device: ${losses1.join(' ')}`);
    losses4.forEach((l, i) => assert.ok(Math.abs(l - losses1[i]) < 1e-4, `step ${i}: 4 devices ${l}, 1 device ${losses1[i]}`));
    assert.ok(losses1[3] < losses1[0], `the loss should fall: ${losses1}`);
  });

  test("'16-mixed' trains with the Trainer's dynamic loss scaling: finite losses that fall", async (t) => {
    assert.ok(one.capabilities().precisions.includes('16-mixed'));
    const losses = await curve(one, 6, '16-mixed');
    t.diagnostic(`losses, 16-mixed: ${losses.join(' ')}`);
    assert.ok(losses.every(Number.isFinite), `losses: ${losses}`);
    assert.ok(losses[5] < losses[0], `the loss should fall: ${losses}`);
    one.setPrecision('32');
  });

  test('more devices than the platform has: refused before any step, naming how many it has', async () => {
    const eight = new CudaStrategy({ platform: 'cpu', engine: 'xla', hostDevices: 4, devices: 8 });
    const availability = await eight.isAvailable();
    assert.equal(availability.available, false);
    assert.ok(!availability.available && /devices: 8 was asked for, but the XLA:CPU platform shows 4 device/.test(availability.reason), JSON.stringify(availability));
    await assert.rejects(eight.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'unsupported-option' && /shows 4 device/.test(e.message) && /devices: 4 or fewer/.test(e.message));
    assert.equal(eight.xlaEngine().serverPid, undefined, 'no server was started');
    // By name, as the Trainer's `devices` and the examples' --devices reach it.
    await assert.rejects(
      createStrata({ strategy: 'cuda', devices: 8, modules: [cudaModule], strategyOptions: { cuda: { platform: 'cpu', hostDevices: 4 } } }),
      /Strategy "cuda" is not available here: devices: 8 was asked for, but the XLA:CPU platform shows 4/,
    );
    const all = new CudaStrategy({ platform: 'cpu', engine: 'xla', hostDevices: 4, devices: -1 });
    assert.equal(all.numReplicas, 4);
  });

  test('a server killed mid-step fails that step within 10 s, naming its pid, the signal and its log; the next fails at once; setup() starts a new one', async () => {
    await one.setup();
    const module = one.scope(() => new TinyMlpModule());
    const optimizer = tf.train.adam(0.05);
    const batch = one.distributeBatch({ x: tf.randomNormal([16, 8], 0, 1, 'float32', 3), y: tf.ones([16]) });
    const step = () => optimizer.minimize(() => module.trainingStep(batch), true, module.weights) as tf.Scalar;
    const engine = one.xlaEngine();
    const pid = engine.serverPid!;
    const log = engine.serverLog!;
    const named = (e: unknown) =>
      e instanceof StrataError && e.kind === 'server-error' && e.message.includes(`(pid ${pid}) was killed by SIGKILL`) && e.message.includes(log);
    try {
      const loss = await one.runStep(step);
      assert.ok(Number.isFinite((await one.read(loss))[0]));
      loss.dispose();
      const inFlight = one.runStep(step);
      process.kill(pid, 'SIGKILL');
      const started = performance.now();
      await assert.rejects(inFlight, named);
      assert.ok(performance.now() - started < 10_000, `took ${performance.now() - started} ms`);
      const again = performance.now();
      await assert.rejects(one.runStep(step), named);
      assert.ok(performance.now() - again < 1000, 'a later step fails at once');
      assert.ok(existsSync(log), 'the log of a server that died is kept');
      // Setting up again starts a new server, for a model whose tensors did not live on the old one.
      tf.dispose([...module.parameters(), batch.x, batch.y]);
      optimizer.dispose();
      await one.setup();
      assert.notEqual(engine.serverPid, undefined);
      assert.notEqual(engine.serverPid, pid);
      const fresh = await one.runStep(() => tf.add(tf.ones([2]), 1));
      assert.deepEqual([...(await one.read(fresh))], [2, 2]);
      fresh.dispose();
    } finally {
      tf.dispose([...module.parameters(), batch.x, batch.y]);
      optimizer.dispose();
      await one.teardown();
      rmSync(dirname(log), { recursive: true, force: true });
    }
  });
});
