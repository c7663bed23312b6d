// @strata/core installs tfjs-core's gradients and chained ops on the host's own tfjs-core, from
// a bundle that holds none of tfjs-core's state. This file is its own process (node --test), so
// the host below starts with neither.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

const bundleUrl = new URL('../dist/tfjs-registrations.js', import.meta.url);

interface Registrations {
  readonly gradientConfigs: readonly tf.GradConfig[];
  readonly tensorMethods: Readonly<Record<string, unknown>>;
}

describe("tfjs-core's registrations, on the host's tfjs-core", () => {
  let bundle: Registrations;
  let strataSum: tf.GradConfig;

  before(async () => {
    assert.equal(tf.getGradient('Abs'), undefined, 'the host starts without gradients');
    assert.ok(!('reshape' in tf.Tensor.prototype), 'the host starts without chained ops');
    bundle = (await import(bundleUrl.href)) as Registrations;
    assert.equal(tf.getGradient('Abs'), undefined, 'importing the bundle installs nothing');
    await import('@strata/core');
    strataSum = tf.getGradient('Sum');
    await tf.setBackend('cpu');
  });

  it('come from a bundle that imports only @tensorflow/tfjs-core and defines none of its state', () => {
    const code = readFileSync(bundleUrl, 'utf8');
    const specifiers = [...code.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]);
    assert.ok(specifiers.length > 0);
    assert.deepEqual([...new Set(specifiers)], ['@tensorflow/tfjs-core']);
    for (const definition of [/\bclass (Engine|Tensor|Variable|Environment)\b/, /\bfunction (getGlobalNamespace|getGlobal|getOrMakeEngine)\s*\(/, /\b(kernelRegistry|gradRegistry|ENV)\s*=/]) {
      assert.doesNotMatch(code, definition);
    }
  });

  it("register every gradient tfjs-core has in the host's registry, Strata's own Sum and Mean in place of tfjs-core's", () => {
    const kernels = bundle.gradientConfigs.map((c) => c.kernelName);
    assert.ok(kernels.length > 90, `${kernels.length} gradient configs`);
    for (const kernel of ['Abs', 'Conv2D', 'Conv3D', 'DepthwiseConv2dNative', 'MaxPool', 'AvgPool', 'LRN', 'Dilation2D', 'ResizeBilinear', 'FusedBatchNorm']) {
      assert.ok(kernels.includes(kernel), `${kernel} is among tfjs-core's gradients`);
    }
    for (const config of bundle.gradientConfigs) {
      const registered = tf.getGradient(config.kernelName);
      if (config.kernelName === 'Sum' || config.kernelName === 'Mean') assert.notEqual(registered, config, config.kernelName);
      else assert.equal(registered, config, config.kernelName);
    }
    assert.ok(strataSum.gradFunc, 'Sum has a gradient');
  });

  it("add every chained op to the host's Tensor class, which keeps its own cast", () => {
    const names = Object.keys(bundle.tensorMethods);
    assert.ok(names.length > 100, `${names.length} chained ops`);
    const prototype = tf.Tensor.prototype as unknown as Record<string, unknown>;
    for (const name of names) {
      if (name === 'cast') assert.notEqual(prototype[name], bundle.tensorMethods[name]);
      else assert.equal(prototype[name], bundle.tensorMethods[name], name);
    }
    // tfjs-core declares the chained ops' types in modules of its own, which this test does not load.
    type Chained = tf.Tensor & { abs(): Chained; reshape(shape: number[]): Chained };
    tf.tidy(() => {
      const v = tf.variable(tf.tensor2d([[-1, 2], [3, -4]]));
      assert.deepEqual(Array.from((v as unknown as Chained).abs().reshape([4]).dataSync()), [1, 2, 3, 4]);
      v.dispose();
    });
  });

  it("compute gradients through tfjs-core's internal helpers (conv and pooling backprops) on the host's engine", () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      // A 1x1 convolution: d sum / d filter[c][o] sums channel c of x; d sum / d x[..c] sums filter row c.
      const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2]);
      const filter = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]);
      const [dx, dFilter] = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid')))([x, filter]);
      assert.deepEqual(Array.from(dFilter.dataSync()), [16, 16, 16, 20, 20, 20]);
      assert.deepEqual(Array.from(dx.dataSync()), [6, 15, 6, 15, 6, 15, 6, 15]);

      const depthwise = tf.grad((f: tf.Tensor) => tf.sum(tf.depthwiseConv2d(x, f as tf.Tensor4D, 1, 'valid')))(tf.ones([1, 1, 2, 1]));
      assert.deepEqual(Array.from(depthwise.dataSync()), [16, 20]);

      const image = tf.tensor4d([1, 4, 3, 2], [1, 2, 2, 1]);
      assert.deepEqual(Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(image).dataSync()), [0, 1, 0, 0]);
      assert.deepEqual(Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.avgPool(a as tf.Tensor4D, 2, 2, 'valid')))(image).dataSync()), [0.25, 0.25, 0.25, 0.25]);
    });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  });
});
