// XlaStrategy without a server: options, the profile a subclass passes, and the probe's wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrataError } from '@strata/core';
import { LocalXlaStrategy } from './local-xla-strategy.js';
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

test('devices: -1 takes all the devices: of the server once connected, of the platform where it is known before', async () => {
  assert.equal(new XlaStrategy({ address: 'grpc://127.0.0.1:9', devices: -1 }).numReplicas, 1);
  assert.throws(() => new XlaStrategy({ devices: -2 }), /or -1 for all/);
  const local = new LocalXlaStrategy({ platform: 'cpu', hostDevices: 3, devices: -1 });
  assert.equal(local.numReplicas, 3);
  assert.equal(local.capabilities().maxReplicas, 3);
  const tooMany = new LocalXlaStrategy({ platform: 'cpu', hostDevices: 3, devices: 4 });
  const availability = await tooMany.isAvailable();
  assert.ok(!availability.available && /devices: 4 was asked for, but the XLA:CPU platform shows 3 device/.test(availability.reason));
  await assert.rejects(tooMany.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'unsupported-option');
  assert.equal(tooMany.serverPid, undefined);
});
