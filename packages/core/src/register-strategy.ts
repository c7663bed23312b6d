import { ContainerModule } from 'inversify';
import { setLoadMarker } from './loaded-modules.js';
import { DistributionStrategy } from './strategy.js';
import { StrategyOptions, type StrategyOptionsMap } from './tokens.js';

/**
 * The DI module of a backend package: binds one strategy under the `DistributionStrategy`
 * token, built lazily (once per container) with the options bound for its name. createStrata
 * does not load it again into a container that holds it already (the host's, or its own).
 *
 * @example
 * // packages/backend-cpu/src/cpu-module.ts
 * export default strategyModule('cpu', (options) => new CpuStrategy(options));
 */
export function strategyModule<O extends Record<string, unknown>>(
  name: string,
  create: (options: Partial<O>) => DistributionStrategy,
): ContainerModule {
  const loaded = Symbol(`strategy module '${name}' loaded`);
  const module = new ContainerModule(({ bind }) => {
    bind<string>(loaded).toConstantValue(name);
    bind<DistributionStrategy>(DistributionStrategy)
      .toDynamicValue((context) => {
        const all = context.get<StrategyOptionsMap>(StrategyOptions, { optional: true }) ?? {};
        // Options under '*' (such as `devices`) apply to every strategy; its own entry wins.
        return create({ ...(all['*'] ?? {}), ...(all[name] ?? {}) } as Partial<O>);
      })
      .inSingletonScope();
  });
  setLoadMarker(module, loaded);
  return module;
}
