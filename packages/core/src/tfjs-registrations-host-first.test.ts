// A host that registered tfjs-core's gradients and chained ops itself (the `@tensorflow/tfjs`
// union package does, tfjs-layers registers the gradients) keeps them: @strata/core registers
// nothing twice and, in tfjs's debug mode, prints no override warning. Its own process
// (node --test), so the host below is the first to register.
import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

interface Registrations {
  readonly gradientConfigs: readonly tf.GradConfig[];
  readonly tensorMethods: Readonly<Record<string, unknown>>;
}

describe('a host that registered tfjs-core gradients and chained ops first', () => {
  const hostGradients = new Map<string, tf.GradConfig>();
  const hostMethods = new Map<string, unknown>();
  const warnings: string[] = [];

  before(async () => {
    const { gradientConfigs, tensorMethods } = (await import(new URL('../dist/tfjs-registrations.js', import.meta.url).href)) as Registrations;
    // The host's own copies: equal in behaviour, distinct objects, so a replacement shows.
    const prototype = tf.Tensor.prototype as unknown as Record<string, unknown>;
    for (const config of gradientConfigs) {
      const own = { ...config };
      tf.registerGradient(own);
      hostGradients.set(config.kernelName, own);
    }
    for (const [name, method] of Object.entries(tensorMethods)) {
      if (name in prototype) continue;
      const own = function (this: unknown, ...args: unknown[]) {
        return (method as (...a: unknown[]) => unknown).apply(this, args);
      };
      prototype[name] = own;
      hostMethods.set(name, own);
    }
    tf.env().set('DEBUG', true);
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      await import('@strata/core');
    } finally {
      console.warn = warn;
      tf.env().set('DEBUG', false);
    }
    await tf.setBackend('cpu');
  });

  it("keeps the host's gradients, except Sum and Mean, which Strata's replace", () => {
    for (const [kernel, own] of hostGradients) {
      if (kernel === 'Sum' || kernel === 'Mean') assert.notEqual(tf.getGradient(kernel), own, kernel);
      else assert.equal(tf.getGradient(kernel), own, kernel);
    }
  });

  it("keeps the host's chained ops", () => {
    const prototype = tf.Tensor.prototype as unknown as Record<string, unknown>;
    assert.ok(hostMethods.size > 100);
    for (const [name, own] of hostMethods) assert.equal(prototype[name], own, name);
  });

  it('prints no warning while loading', () => {
    assert.deepEqual(warnings, []);
  });

  it("trains through the host's gradients", () => {
    tf.tidy(() => {
      const w = tf.tensor1d([1, -2, 3]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.abs(t), 2)))(w);
      assert.deepEqual(Array.from(g.dataSync()), [2, -2, 2]);
    });
  });
});
