import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StrataError } from '@strata/core';
import { WebGpuStrategy } from './webgpu-strategy.js';

const availability = await new WebGpuStrategy().isAvailable();
const noGpu = availability.available ? undefined : `no WebGPU adapter here: ${availability.reason} Fix: ${availability.remedy}`;
const hasOffscreenCanvas = typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined';
const skip = noGpu ?? (hasOffscreenCanvas ? 'OffscreenCanvas exists here, so synchronous reads work' : undefined);
if (skip) console.log(`skipping the synchronous-read tests: ${skip}`);

// Tile of rank 5 reads its input synchronously when it is on the GPU; 1600 elements are above
// tfjs's threshold for computing small ops on the CPU, so the Add's output is on the GPU.
const tiled = (x: tf.Tensor) => tf.tile(tf.add(x, 1), [1, 1, 1, 2, 1]);

describe('kernels that read synchronously, in Node', { skip }, () => {
  it('fail runStep with a missing-kernel error naming the kernel, and preflight names it', async (t) => {
    const strategy = new WebGpuStrategy();
    t.after(() => strategy.teardown());
    await strategy.setup();
    const x = tf.ones([1, 1, 1, 40, 40]);
    await assert.rejects(
      strategy.runStep(() => tiled(x)),
      (e: unknown) => e instanceof StrataError && e.kind === 'missing-kernel' && e.value === 'Tile' && /OffscreenCanvas/.test(e.message),
    );
    // tfjs's profiler would turn this error into an unhandled rejection that ends the process.
    const report = await strategy.preflight(() => tiled(x));
    assert.deepEqual(report.missingKernels, ['Tile']);
    // Rank 4 stays on the GPU: preflight passes and the step computes.
    const x4 = tf.ones([1, 1, 40, 40]);
    const ok = await strategy.preflight(() => tf.tile(tf.add(x4, 1), [1, 1, 2, 1]));
    assert.deepEqual(ok.missingKernels, []);
    const out = await strategy.runStep(() => tf.sum(tf.tile(tf.add(x4, 1), [1, 1, 2, 1])));
    assert.equal((await strategy.read(out))[0], 2 * 40 * 40 * 2);
    tf.dispose([x, x4, out]);
  });
});
