import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StrataError } from '@strata/core';
import { WebGpuStrategy } from './webgpu-strategy.js';

const availability = await new WebGpuStrategy().isAvailable();
const noGpu = availability.available ? undefined : `no WebGPU adapter here: ${availability.reason} Fix: ${availability.remedy}`;
if (noGpu) console.log(`skipping WebGPU device tests: ${noGpu}`);

/** conv2d + matMul + reductions on the current backend, read back. */
async function compute(strategy?: WebGpuStrategy): Promise<Float32Array> {
  const run = () => {
    const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 6, 3]);
    const k = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i) / 4), [3, 3, 3, 4]);
    const conv = tf.relu(tf.conv2d(x, k, 1, 'same'));
    const flat = tf.reshape(conv, [2, -1]);
    return tf.concat([tf.sum(tf.matMul(flat, flat, false, true), 1), tf.max(flat, 1)]);
  };
  const out = strategy ? await strategy.runStep(run) : tf.tidy(run);
  const values = (strategy ? await strategy.read(out) : await out.data()) as Float32Array;
  out.dispose();
  return values;
}

describe('WebGpuStrategy without a device', () => {
  it('isAvailable() answers without throwing, with a reason and a remedy when it cannot run', async () => {
    const other = process.platform === 'darwin' ? 'd3d12' : 'metal';
    const result = await new WebGpuStrategy({ backend: other }).isAvailable();
    assert.equal(result.available, false);
    if (!result.available) {
      assert.match(result.reason, new RegExp(other));
      assert.ok(result.remedy.length > 0);
    }
  });

  it('refuses runStep before setup()', async () => {
    await assert.rejects(new WebGpuStrategy().runStep(() => tf.scalar(1)), (e: unknown) => e instanceof StrataError && e.kind === 'not-set-up');
  });
});

describe('WebGpuStrategy on a device', { skip: noGpu }, () => {
  const strategy = new WebGpuStrategy();
  let expected: Float32Array;

  before(async () => {
    await tf.setBackend('cpu');
    expected = await compute();
  });
  after(async () => {
    await strategy.teardown();
    await strategy.teardown();
  });

  it('sets up idempotently and describes the adapter, the Dawn backend and the limits', async () => {
    await strategy.setup();
    await strategy.setup();
    assert.equal(tf.getBackend(), 'webgpu');
    const report = strategy.describe();
    assert.equal(report.strategy, 'webgpu');
    assert.equal(report.backend, 'webgpu');
    assert.match(report.engine, /^tfjs-backend-webgpu \((Dawn|navigator\.gpu)/);
    assert.ok(report.devices[0].length > 0);
    for (const key of ['runtime', 'featureLevel', 'device', 'description', 'maxComputeWorkgroupSizeX', 'maxStorageBufferBindingSize']) {
      assert.ok(key in report.details, `details lack ${key}: ${JSON.stringify(report.details)}`);
    }
    // tfjs's programs use 256-wide workgroups: the adapter's limits must have been requested.
    assert.ok(Number(report.details.maxComputeInvocationsPerWorkgroup) >= 256, JSON.stringify(report.details));
    assert.equal(strategy.priority, report.details.software === 'true' ? 5 : 30);
  });

  it('computes what the CPU backend computes, reads asynchronously and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const got = await compute(strategy);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(got.length, expected.length);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-3 * Math.max(1, Math.abs(expected[i])), `${i}: ${v} vs ${expected[i]}`));
  });

  it('comes back after teardown() with a new device', async () => {
    await strategy.teardown();
    await assert.rejects(strategy.runStep(() => tf.scalar(1)), (e: unknown) => e instanceof StrataError && e.kind === 'not-set-up');
    await strategy.setup();
    const got = await compute(strategy);
    assert.ok(Math.abs(got[0] - expected[0]) <= 1e-3 * Math.max(1, Math.abs(expected[0])));
  });

  it('refuses a second instance while one is set up (tfjs has one webgpu backend)', async () => {
    const other = new WebGpuStrategy();
    await assert.rejects(other.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'strategy-unavailable' && /teardown/.test(e.message));
    // The first one still works.
    const got = await compute(strategy);
    assert.ok(Math.abs(got[0] - expected[0]) <= 1e-3 * Math.max(1, Math.abs(expected[0])));
  });

  it('picks an adapter by index, and says which exist when the index is out of range', async () => {
    await strategy.teardown();
    const pinned = new WebGpuStrategy({ adapterIndex: 0 });
    try {
      await pinned.setup();
      const got = await compute(pinned);
      assert.ok(Math.abs(got[0] - expected[0]) <= 1e-3 * Math.max(1, Math.abs(expected[0])));
    } finally {
      await pinned.teardown();
    }
    const beyond = await new WebGpuStrategy({ backend: 'opengl', adapterIndex: 99 }).isAvailable();
    assert.equal(beyond.available, false);
    if (!beyond.available) {
      assert.match(beyond.reason, /adapterIndex 99 but [1-9]\d* adapter\(s\) \(.+\)/);
      assert.match(beyond.remedy, /adapterIndex below/);
    }
  });
});
