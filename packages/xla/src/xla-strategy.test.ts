// XlaStrategy without a server: options, the profile a subclass passes, and the probe's wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '@strata/core';
import { XLA_PROFILE, XlaStrategy, type XlaStrategyProfile } from './xla-strategy.js';

const GPU_PROFILE: XlaStrategyProfile = {
  name: 'xla-gpu-test',
  priority: 70,
  title: 'XLA:GPU',
  className: 'GpuTestStrategy',
  addressEnv: 'STRATA_TEST_GPU_ADDRESS',
  tokenEnv: 'STRATA_TEST_GPU_TOKEN',
};

test('the generic strategy: its profile, options checked, capabilities', () => {
  const s = new XlaStrategy({ address: 'grpc://127.0.0.1:9', cores: 2 });
  assert.equal(s.name, XLA_PROFILE.name);
  assert.equal(s.priority, XLA_PROFILE.priority);
  assert.equal(s.numReplicas, 2);
  assert.deepEqual([...s.capabilities().precisions].sort(), ['16-mixed', '32', 'bf16-mixed']);
  assert.throws(() => new XlaStrategy({ devices: 0 }), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option');
  assert.throws(() => s.setPrecision('8' as never), (e: unknown) => e instanceof StrataError && /The XLA strategy has no precision/.test(e.message));
});

test("a subclass's profile gives its name, rank, wording and environment variables", async () => {
  class GpuTestStrategy extends XlaStrategy {
    constructor() {
      super({ probeTimeoutMs: 500 }, GPU_PROFILE);
    }
  }
  process.env.STRATA_TEST_GPU_ADDRESS = 'grpc://127.0.0.1:1';
  try {
    const s = new GpuTestStrategy();
    assert.equal(s.name, 'xla-gpu-test');
    assert.equal(s.priority, 70);
    assert.equal(s.address, 'grpc://127.0.0.1:1');
    assert.equal(s.describe().strategy, 'xla-gpu-test');
    assert.throws(() => s.setPrecision('8' as never), /The XLA:GPU strategy has no precision/);
    assert.throws(() => s.stats(), /Strategy 'xla-gpu-test' is used before setup\(\)/);
    const availability = await s.isAvailable();
    assert.equal(availability.available, false);
    if (!availability.available) assert.match(availability.remedy, /set STRATA_TEST_GPU_ADDRESS/);
  } finally {
    delete process.env.STRATA_TEST_GPU_ADDRESS;
  }
});
