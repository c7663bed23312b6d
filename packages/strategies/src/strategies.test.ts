// Importing @strata/strategies registers every shipped backend, and a container made without
// explicit modules then binds each of their strategies.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createStrataContainer, declaredStrategyNames, registeredBackends, registeredStrategies } from '@strata/core';
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

  it('declares the name each backend binds, so that names are known before any backend loads', async () => {
    const bound = registeredStrategies(await createStrataContainer()).map((s) => s.name).sort();
    assert.deepEqual(declaredStrategyNames(), { names: bound, complete: true, backends: SHIPPED_BACKENDS.length });
  });
});
