import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Container, ContainerModule } from 'inversify';
import { TfjsStrategy, createStrata, createStrataContainer, registeredStrategies, strategyModule, type Availability } from '@strata/core';

/** A strategy that is never set up here: only its name and availability matter. */
class Named extends TfjsStrategy {
  readonly priority = 0;
  constructor(readonly name: string) {
    super();
  }
  async isAvailable(): Promise<Availability> {
    return { available: true, engine: 'none' };
  }
  protected backendName(): string {
    return 'none';
  }
  protected async registerBackend(): Promise<void> {}
  protected engineName(): string {
    return 'none';
  }
}

const names = (container: Container) => registeredStrategies(container).map((s) => s.name);

describe('loading strategy modules into a container', () => {
  it('skips a strategy module the host loaded into its container itself', async () => {
    const first = strategyModule('first', () => new Named('first'));
    const second = strategyModule('second', () => new Named('second'));
    const host = new Container();
    host.load(first);
    const before = registeredStrategies(host)[0];
    const { strategy } = await createStrata({ container: host, modules: [first, second], strategy: 'first' });
    assert.deepEqual(names(host), ['first', 'second']);
    assert.equal(strategy, before, 'the host’s instance, not a second one');
  });

  it('skips the modules an earlier call loaded, and a module listed twice', async () => {
    const first = strategyModule('first', () => new Named('first'));
    // A host's own module, not made by strategyModule.
    const Greeting = Symbol('Greeting');
    const plain = new ContainerModule(({ bind }) => {
      bind<string>(Greeting).toConstantValue('hello');
    });
    const container = await createStrataContainer({ modules: [first, first, plain] });
    await createStrataContainer({ container, modules: [first, plain] });
    await createStrata({ container, modules: [first], strategy: 'first' });
    assert.deepEqual(names(container), ['first']);
    assert.deepEqual(container.getAll<string>(Greeting), ['hello'], 'the plain module is loaded once');
  });

  it('loads a module again into a container that does not hold it (a child of one that does)', async () => {
    const first = strategyModule('first', () => new Named('first'));
    const parent = new Container();
    parent.load(first);
    const child = new Container({ parent });
    await createStrataContainer({ container: child, modules: [first] });
    assert.deepEqual(names(child), ['first']);
    assert.notEqual(registeredStrategies(child)[0], registeredStrategies(parent)[0]);
  });
});
