import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { StrataError } from '@strata/core';
import { WebGpuStrategy } from './webgpu-strategy.js';

const availability = await new WebGpuStrategy().isAvailable();
const noGpu = availability.available ? undefined : `no WebGPU adapter here: ${availability.reason} Fix: ${availability.remedy}`;
if (noGpu) console.log(`skipping GPU error tests: ${noGpu}`);

function isDeviceError(pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof StrataError, `not a StrataError: ${String(error)}`);
    assert.equal(error.kind, 'device-error');
    assert.match(error.message, pattern);
    return true;
  };
}

/** A program whose WGSL does not compile: the GPU rejects it with a validation error. */
function brokenProgram(shape: number[]) {
  return {
    variableNames: ['x'],
    outputShape: shape,
    shaderKey: 'strataDeliberatelyInvalid',
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [1, 1, 1] as [number, number, number],
    workgroupSize: [64, 1, 1] as [number, number, number],
    size: true,
    getUserCode: () => 'fn main() { let broken : f32 = this_is_not_wgsl; }',
  };
}

function runBroken(x: tf.Tensor): tf.Tensor {
  const backend = tf.backend() as WebGPUBackend;
  const info = backend.runWebGPUProgram(brokenProgram(x.shape) as never, [x], 'float32');
  return tf.engine().makeTensorFromTensorInfo(info);
}

describe('GPU errors fail the step', { skip: noGpu }, () => {
  it("with WebGPU's default limits, tfjs's 256-wide programs fail runStep instead of returning zeros", async (t) => {
    const strategy = new WebGpuStrategy({ limits: 'default' });
    t.after(() => strategy.teardown()); // also when an assertion fails, so the next test can set up
    await strategy.setup();
    const widest = Number(strategy.describe().details.maxComputeWorkgroupSizeX);
    if (widest >= 256) {
      // Core-level devices allow 256 by default; compatibility ones (OpenGL, llvmpipe) 128.
      t.skip(`this device's default limits allow 256-wide workgroups (maxComputeWorkgroupSizeX ${widest})`);
      await strategy.teardown();
      return;
    }
    const a = tf.tensor2d(Array.from({ length: 64 * 64 }, (_, i) => (i % 7) - 3), [64, 64]);
    const before = tf.memory().numTensors;
    await assert.rejects(
      strategy.runStep(() => tf.sum(tf.matMul(a, a))),
      isDeviceError(/validation error during runStep .*workgroup_size\(256/s),
    );
    assert.equal(tf.memory().numTensors, before, 'the failed step leaked its outputs');
    // Sticky: whatever the failed command buffer computed is wrong, so reads refuse too.
    await assert.rejects(strategy.read(a), isDeviceError(/validation error/));
    await assert.rejects(strategy.runStep(() => tf.add(a, 1)), isDeviceError(/validation error/));
    a.dispose();
    // A new setup is a new device, with no error pending.
    await strategy.teardown();
    await strategy.setup();
    const host = tf.tensor1d([1, 2, 3]);
    assert.deepEqual(Array.from(await strategy.read(host)), [1, 2, 3]);
    host.dispose();
    await strategy.teardown();
  });

  it('a shader that does not compile fails runStep with the compiler message', async (t) => {
    const strategy = new WebGpuStrategy();
    t.after(() => strategy.teardown()); // also when an assertion fails, so the next test can set up
    await strategy.setup();
    const x = tf.ones([4, 4]);
    const before = tf.memory().numTensors;
    await assert.rejects(strategy.runStep(() => runBroken(x)), isDeviceError(/this_is_not_wgsl/));
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    await strategy.teardown();
  });

  it('an error outside any step fails the next read', async (t) => {
    const strategy = new WebGpuStrategy();
    t.after(() => strategy.teardown()); // also when an assertion fails, so the next test can set up
    await strategy.setup();
    const x = tf.ones([4, 4]);
    const y = runBroken(x); // not in runStep: reported to the device's uncaptured-error handler
    await assert.rejects(strategy.read(y), isDeviceError(/this_is_not_wgsl/));
    tf.dispose([x, y]);
    await strategy.teardown();
  });

  it('a lost device fails the next step', async (t) => {
    const strategy = new WebGpuStrategy();
    t.after(() => strategy.teardown()); // also when an assertion fails, so the next test can set up
    await strategy.setup();
    const x = tf.ones([4, 4]);
    // Destroying the device behind the strategy's back is the one loss a test can cause.
    (tf.backend() as WebGPUBackend).device.destroy();
    const before = tf.memory().numTensors;
    await assert.rejects(strategy.runStep(() => tf.matMul(x, x)), isDeviceError(/device lost/));
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    await strategy.teardown();
  });

  it('a valid step after setup on the adapter limits succeeds (the errors above are not spurious)', async (t) => {
    const strategy = new WebGpuStrategy();
    t.after(() => strategy.teardown()); // also when an assertion fails, so the next test can set up
    await strategy.setup();
    const value = (i: number, j: number) => ((i * 64 + j) % 7) - 3;
    const a = tf.tensor2d(Array.from({ length: 64 * 64 }, (_, n) => value(Math.floor(n / 64), n % 64)), [64, 64]);
    const out = await strategy.runStep(() => tf.sum(tf.matMul(a, a)));
    const [got] = await strategy.read(out);
    let reference = 0;
    for (let i = 0; i < 64; i++) for (let j = 0; j < 64; j++) for (let k = 0; k < 64; k++) reference += value(i, k) * value(k, j);
    // Small integers: exact in f32 whatever the summation order.
    assert.equal(got, reference);
    tf.dispose([a, out]);
  });
});
