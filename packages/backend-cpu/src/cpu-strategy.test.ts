import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import { CpuStrategy } from './cpu-strategy.js';
import { nativeEngineStatus } from '@strata/native-engine';

const status = nativeEngineStatus('cpu');
const notBuilt = status.state === 'ready' ? false : `no native engine: ${status.state === 'ready' ? '' : status.reason}`;

/** One step of a small dense model; returns the loss. */
async function trainStep(strategy: CpuStrategy): Promise<number> {
  const loss = await strategy.runStep(() => {
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const w = tf.tensor2d([[0.1], [-0.2]]);
    return tf.mean(tf.square(tf.sub(tf.matMul(x, w), tf.tensor2d([[1], [0], [1]]))));
  });
  const value = (await strategy.read(loss))[0];
  loss.dispose();
  return value;
}

describe('CpuStrategy', () => {
  it("engine 'js' runs on tfjs-backend-cpu even where the native engine is built", async () => {
    const strategy = new CpuStrategy({ engine: 'js' });
    assert.deepEqual(await strategy.isAvailable(), { available: true, engine: 'tfjs-backend-cpu' });
    await strategy.setup();
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal(strategy.describe().engine, 'tfjs-backend-cpu');
    assert.equal(strategy.describe().backend, 'cpu');
    assert.ok(Math.abs((await trainStep(strategy)) - (1.69 + 0.25 + 2.89) / 3) < 1e-5);
    await strategy.teardown();
  });

  it("engine 'auto' falls back to pure JS when no engine is built, and describe() says why", async () => {
    const strategy = new CpuStrategy({ nativeDir: mkdtempSync(join(tmpdir(), 'strata-empty-native-')) });
    assert.deepEqual(await strategy.isAvailable(), { available: true, engine: 'tfjs-backend-cpu' });
    await strategy.setup();
    const report = strategy.describe();
    assert.equal(report.engine, 'tfjs-backend-cpu');
    assert.match(report.details.nativeEngine ?? '', /not used: no cpu native engine is built/);
    await strategy.teardown();
  });

  it("engine 'native' is unavailable without an engine: reason and remedy, and setup() throws them", async () => {
    const strategy = new CpuStrategy({ engine: 'native', nativeDir: mkdtempSync(join(tmpdir(), 'strata-empty-native-')) });
    const availability = await strategy.isAvailable();
    assert.equal(availability.available, false);
    assert.ok(!availability.available && /no cpu native engine is built/.test(availability.reason));
    assert.ok(!availability.available && /npx strata-native build/.test(availability.remedy));
    await assert.rejects(strategy.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'strategy-unavailable');
  });

  it('rejects an unknown engine, quoting it', () => {
    assert.throws(() => new CpuStrategy({ engine: 'gpu' as never }), /Invalid option CpuStrategy engine: received "gpu"/);
  });

  it("uses the native engine when built: backend 'tensorflow', same numbers as pure JS, no leaks", { skip: notBuilt }, async () => {
    const strategy = new CpuStrategy();
    const availability = await strategy.isAvailable();
    assert.ok(availability.available && /^TensorFlow 2\.\d+/.test(availability.engine), JSON.stringify(availability));
    await strategy.setup();
    assert.equal(tf.getBackend(), 'tensorflow');
    const report = strategy.describe();
    assert.equal(report.backend, 'tensorflow');
    assert.match(report.engine, /tfjs-node 4\.22\.0 binding, cpu/);
    assert.match(report.details.tensorflow ?? '', /^2\./);
    const before = tf.memory().numTensors;
    assert.ok(Math.abs((await trainStep(strategy)) - (1.69 + 0.25 + 2.89) / 3) < 1e-5);
    assert.equal(tf.memory().numTensors, before);
    // engine 'js' in the same process still gets the pure-JS backend.
    const js = new CpuStrategy({ engine: 'js' });
    await js.setup();
    assert.equal(tf.getBackend(), 'cpu');
    await js.teardown();
    await strategy.teardown();
  });
});
