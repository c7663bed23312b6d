// A host TypeScript application loads Strata's DI modules into its own inversify container.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Container } from 'inversify';
import cpuModule, { CpuStrategy } from '@strata/backend-cpu';
import { DistributionStrategy, StrategyOptions, createStrata, createStrataContainer, registeredStrategies } from '@strata/core';
import '@strata/strategies';

describe('DI in a host application', () => {
  it("loads a backend's ContainerModule into the host's own container", () => {
    const host = new Container();
    const AppName = Symbol('AppName');
    host.bind<string>(AppName).toConstantValue('my-app');
    host.bind(StrategyOptions).toConstantValue({ cpu: { engine: 'js' } });
    host.load(cpuModule);
    const strategies = host.getAll<DistributionStrategy>(DistributionStrategy);
    assert.equal(strategies.length, 1);
    assert.ok(strategies[0] instanceof CpuStrategy);
    assert.equal(strategies[0].name, 'cpu');
    assert.equal(host.get<string>(AppName), 'my-app');
    // Singleton per container: the host gets the same instance each time.
    assert.equal(host.getAll<DistributionStrategy>(DistributionStrategy)[0], strategies[0]);
  });

  it('passes per-strategy options from the container to the strategy', async () => {
    const container = await createStrataContainer({ modules: [cpuModule], strategyOptions: { cpu: { engine: 'js' } } });
    const [cpu] = registeredStrategies(container);
    const availability = await cpu.isAvailable();
    assert.deepEqual(availability, { available: true, engine: 'tfjs-backend-cpu' });
  });

  it("lets createStrata fill the host's container and pick a strategy by name", async () => {
    const host = new Container();
    const { strategy, container, source } = await createStrata({ container: host, modules: [cpuModule], strategy: 'cpu' });
    assert.equal(container, host);
    assert.equal(strategy.name, 'cpu');
    assert.equal(source, 'explicit');
  });

  it('loads no strategy twice into a host container that holds one already', async () => {
    const host = new Container();
    host.load(cpuModule);
    const hostCpu = host.getAll<DistributionStrategy>(DistributionStrategy)[0];
    const { strategy } = await createStrata({ container: host, strategy: 'cpu' });
    await createStrataContainer({ container: host });
    const names = registeredStrategies(host).map((s) => s.name);
    assert.ok(names.length > 1, `registered: ${names}`);
    assert.deepEqual(names, [...new Set(names)], `each strategy once: ${names}`);
    assert.equal(strategy, hostCpu, "createStrata picks the host's cpu strategy");
  });

  it('binds the registered backends (here every shipped one, through @strata/strategies) when no modules are given', async () => {
    const container = await createStrataContainer();
    const names = registeredStrategies(container).map((s) => s.name);
    assert.ok(names.includes('cpu'), `registered: ${names}`);
  });
});
