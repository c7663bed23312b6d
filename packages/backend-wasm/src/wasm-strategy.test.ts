import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createStrataContainer, DistributionStrategy, StrataError } from '@strata/core';
import wasmModule, { TRAINING_KERNELS, WasmStrategy } from './index.js';

function backendInitialised(name: string): boolean {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry[name] !== undefined;
}

describe('WasmStrategy', () => {
  it('loads no binary when the package is imported', () => {
    assert.equal(backendInitialised('wasm'), false);
  });

  it('is available in Node, with SIMD, from the installed binaries', async () => {
    const availability = await new WasmStrategy().isAvailable();
    assert.deepEqual(availability, { available: true, engine: 'tfjs-backend-wasm (SIMD)' });
  });

  it('rejects invalid options with the value and the fix', () => {
    assert.throws(() => new WasmStrategy({ threads: 0 }), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option' && /received 0/.test(e.message));
    assert.throws(() => new WasmStrategy({ wasmPaths: '' }), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option');
  });

  it('refuses use before setup()', () => {
    assert.throws(() => new WasmStrategy().scope(() => 1), (e: unknown) => e instanceof StrataError && e.kind === 'not-set-up');
  });

  it('sets up idempotently, activates wasm with its training kernels, and reports threads', async () => {
    const strategy = new WasmStrategy();
    await strategy.setup();
    await strategy.setup();
    assert.equal(tf.getBackend(), 'wasm');
    const registered = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    for (const config of TRAINING_KERNELS) assert.ok(registered.has(config.kernelName), config.kernelName);
    const report = strategy.describe();
    assert.equal(report.strategy, 'wasm');
    assert.equal(report.backend, 'wasm');
    assert.equal(report.details['simd'], 'true');
    assert.equal(report.details['threads'], '1');
    assert.match(report.details['strataKernels'] ?? '', /Conv2DBackpropFilter.*DepthwiseConv2dNativeBackpropInput/);
    assert.match(report.details['threadsNote'] ?? '', /ERR_WORKER_PATH/);
    await strategy.teardown();
    await strategy.teardown();
  });

  it('preflight finds no missing kernel in a convnet step with depthwise and strided convolutions', async () => {
    const strategy = new WasmStrategy();
    await strategy.setup();
    const { report, leaked } = await (async () => {
      const vars = strategy.scope(() => [tf.variable(tf.randomNormal([3, 3, 3, 4])), tf.variable(tf.randomNormal([3, 3, 4, 1])), tf.variable(tf.randomNormal([1, 1, 4, 2]))]);
      const before = tf.memory().numTensors;
      const report = await strategy.preflight(() => {
        const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
        const { grads, value } = tf.variableGrads(() => {
          const a = tf.relu(tf.conv2d(x, vars[0] as tf.Tensor4D, 2, 'same'));
          const b = tf.depthwiseConv2d(a, vars[1] as tf.Tensor4D, 2, 'same');
          const c = tf.maxPool(tf.conv2d(b, vars[2] as tf.Tensor4D, 1, 'valid'), 2, 1, 'same');
          return tf.sum(c) as tf.Scalar;
        }, vars);
        tf.dispose([value, ...Object.values(grads)]);
      });
      const leaked = tf.memory().numTensors - before;
      tf.dispose(vars);
      return { report, leaked };
    })();
    assert.deepEqual(report.missingKernels, []);
    for (const k of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'MaxPoolGrad']) {
      assert.ok(report.kernels.includes(k), `${k} not in ${report.kernels}`);
    }
    assert.equal(leaked, 0);
  });

  it("is bound under the name 'wasm' by the package's DI module, with its options", async () => {
    const container = await createStrataContainer({ modules: [wasmModule], strategyOptions: { wasm: { threads: 2 } } });
    const strategies = container.getAll<DistributionStrategy>(DistributionStrategy);
    assert.deepEqual(strategies.map((s) => s.name), ['wasm']);
    assert.ok(strategies[0] instanceof WasmStrategy);
  });
});
