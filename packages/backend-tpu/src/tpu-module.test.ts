// The DI module: a Strata container binds 'tpu' to a TpuStrategy with the options bound for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStrataContainer, registeredStrategies } from '@strata/core';
import tpuModule from './tpu-module.js';
import { TpuStrategy } from './tpu-strategy.js';

test("the module binds 'tpu' with its strategy options", async () => {
  const container = await createStrataContainer({
    modules: [tpuModule],
    strategyOptions: { tpu: { address: 'grpc://127.0.0.1:9', cores: 2, precision: 'bf16-mixed' } },
  });
  const [strategy] = registeredStrategies(container);
  assert.ok(strategy instanceof TpuStrategy, `got ${strategy?.constructor.name}`);
  assert.equal(strategy.name, 'tpu');
  assert.equal(strategy.address, 'grpc://127.0.0.1:9');
  assert.equal(strategy.numReplicas, 2);
  assert.equal(strategy.getPrecision(), 'bf16-mixed');
});
