import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { TfjsStrategy, type Availability } from '@strata/core';

/** An eager strategy on its own tfjs backend name (tfjs-backend-cpu's kernels under another name). */
class OnBackend extends TfjsStrategy {
  readonly priority = 0;
  constructor(readonly name: string) {
    super();
  }
  async isAvailable(): Promise<Availability> {
    return { available: true, engine: 'tfjs-backend-cpu' };
  }
  protected backendName(): string {
    return this.name;
  }
  protected async registerBackend(): Promise<void> {
    if (tf.findBackendFactory(this.name) !== null) return;
    tf.registerBackend(this.name, () => new MathBackendCPU());
    for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: this.name });
  }
  protected engineName(): string {
    return 'tfjs-backend-cpu';
  }
}

describe("a strategy's teardown and the tfjs backend active before its setup", () => {
  before(() => {
    // Each test below starts from a known backend, except the first, which needs none yet.
    assert.equal(tf.getBackend(), undefined, 'no backend is active when this file starts');
  });

  it('leaves its own backend active when there was none before', async () => {
    const strategy = new OnBackend('first');
    await strategy.setup();
    await strategy.teardown();
    assert.equal(tf.getBackend(), 'first');
  });

  it('makes the previous backend active again, once, however often it is torn down', async () => {
    await tf.setBackend('cpu');
    const strategy = new OnBackend('second');
    await strategy.setup();
    await strategy.setup();
    assert.equal(tf.getBackend(), 'second');
    await strategy.teardown();
    assert.equal(tf.getBackend(), 'cpu');
    await tf.setBackend('first');
    await strategy.teardown();
    assert.equal(tf.getBackend(), 'first', 'a second teardown changes nothing');
  });

  it('leaves the backend of a strategy set up since', async () => {
    await tf.setBackend('cpu');
    const earlier = new OnBackend('second');
    const later = new OnBackend('third');
    await earlier.setup();
    await later.setup();
    await earlier.teardown();
    assert.equal(tf.getBackend(), 'third');
    await later.teardown();
    assert.equal(tf.getBackend(), 'second');
  });

  it('sets up again after teardown, remembering the backend active then', async () => {
    await tf.setBackend('cpu');
    const strategy = new OnBackend('second');
    await strategy.setup();
    await strategy.teardown();
    await tf.setBackend('first');
    await strategy.setup();
    assert.equal(tf.getBackend(), 'second');
    await strategy.teardown();
    assert.equal(tf.getBackend(), 'first');
  });
});
