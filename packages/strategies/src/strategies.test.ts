// Importing @strata/strategies registers every shipped backend, and a container made without
// explicit modules then binds each of their strategies.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createStrataContainer, registeredBackends, registeredStrategies } from '@strata/core';
import { SHIPPED_BACKENDS } from './index.js';

describe('@strata/strategies', () => {
  it('registers every shipped backend package', () => {
    const registered = registeredBackends();
    for (const name of SHIPPED_BACKENDS) assert.ok(registered.includes(name), `${name} not in ${registered.join(', ')}`);
  });

  it('binds one strategy per shipped backend in a container made without modules', async () => {
    const names = registeredStrategies(await createStrataContainer()).map((s) => s.name).sort();
    assert.deepEqual(names, ['cpu', 'cuda', 'tpu', 'wasm', 'webgpu']);
  });
});
