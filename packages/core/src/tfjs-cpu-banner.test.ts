import { strict as assert } from 'node:assert';
import { afterEach, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { silenceTfjsCpuBanner } from './tfjs-cpu-banner.js';

const BANNER = /running TensorFlow\.js in Node\.js/;

/** Registers a new tfjs-backend-cpu instance (the banner is printed once per instance). */
function freshCpuBackend(): void {
  const factory = tf.findBackendFactory('cpu');
  assert.ok(factory, 'tfjs-backend-cpu registers a factory');
  tf.removeBackend('cpu');
  tf.registerBackend('cpu', factory, 1);
}

/** What console.warn receives while `fn` writes a tensor on the cpu backend. */
async function warningsWhile(fn: () => void): Promise<string[]> {
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.join(' '));
  try {
    fn();
    await tf.setBackend('cpu');
    tf.dispose(tf.tensor1d([1, 2, 3]));
  } finally {
    console.warn = original;
  }
  return warned;
}

describe('silenceTfjsCpuBanner', () => {
  afterEach(() => freshCpuBackend());

  it("tfjs-backend-cpu prints its 'install tfjs-node' banner on a backend's first write", async () => {
    freshCpuBackend();
    const warned = await warningsWhile(() => undefined);
    assert.ok(warned.some((w) => BANNER.test(w)), `no banner among ${JSON.stringify(warned)}`);
  });

  it('keeps the banner from printing, and leaves the backend working', async () => {
    freshCpuBackend();
    const warned = await warningsWhile(() => silenceTfjsCpuBanner());
    assert.deepEqual(warned.filter((w) => BANNER.test(w)), []);
    const sum = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])));
    assert.equal((await sum.data())[0], 6);
    sum.dispose();
  });

  it('does nothing where tfjs-backend-cpu is not registered', () => {
    const factory = tf.findBackendFactory('cpu')!;
    tf.removeBackend('cpu');
    try {
      silenceTfjsCpuBanner();
      assert.equal(tf.findBackendFactory('cpu'), null);
    } finally {
      tf.registerBackend('cpu', factory, 1);
    }
  });
});
