import type { ContainerModule } from 'inversify';
import { StrataError, quote } from './errors.js';

/** Imports a backend package; its default export is the package's DI module. */
export type BackendLoader = () => Promise<{ readonly default?: unknown }>;

/** A registered backend package that could not be loaded, and why. */
export interface BackendLoadFailure {
  readonly packageName: string;
  readonly error: unknown;
}

export interface LoadedBackendModules {
  readonly modules: ContainerModule[];
  readonly failures: BackendLoadFailure[];
}

// One registry per process, shared by every copy of @strata/core that a bundle or an odd
// install might hold, so that a backend registered through one copy is seen by the others.
const REGISTRY = Symbol.for('@strata/core/backend-registry');
type Registry = Map<string, BackendLoader>;
function registry(): Registry {
  const holder = globalThis as { [REGISTRY]?: Registry };
  return (holder[REGISTRY] ??= new Map());
}

/**
 * Registers a backend package for `createStrata()` and the Trainer's strategy names. Each
 * backend package registers itself when it is imported; `@strata/strategies` registers every
 * backend Strata ships with a literal `import()`, so bundlers see them and a backend that fails
 * to load does not stop the others. Registering a name again replaces its loader.
 *
 * @example
 * registerBackend('@strata/backend-cpu', () => import('@strata/backend-cpu'));
 */
export function registerBackend(packageName: string, load: BackendLoader): void {
  registry().set(packageName, load);
}

/** The registered backend packages, in registration order. */
export function registeredBackends(): string[] {
  return [...registry().keys()];
}

/**
 * Loads the DI module of each registered backend. One that fails to load is reported in
 * `failures` (the selection names it), never fatal to the others.
 */
export async function loadRegisteredBackendModules(): Promise<LoadedBackendModules> {
  const modules: ContainerModule[] = [];
  const failures: BackendLoadFailure[] = [];
  for (const [packageName, load] of registry()) {
    try {
      const module = (await load()).default;
      if (!isContainerModule(module)) {
        throw new StrataError('strategy-unavailable', `Backend package ${quote(packageName)} does not default-export an inversify ContainerModule.`, {
          value: packageName,
          fix: 'a backend package must `export default` the ContainerModule of its strategy (see strategyModule).',
        });
      }
      if (!modules.includes(module)) modules.push(module);
    } catch (error) {
      failures.push({ packageName, error });
    }
  }
  return { modules, failures };
}

function isContainerModule(value: unknown): value is ContainerModule {
  return typeof value === 'object' && value !== null && typeof (value as ContainerModule).load === 'function' && 'id' in value;
}
