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

/** What a registration declares about its package without loading it. */
export interface BackendRegistration {
  /**
   * The strategy names the package's DI module binds ('cpu'). Declared up front so that a
   * Trainer given an unknown name fails at construction, before any backend module loads.
   */
  readonly strategies?: readonly string[];
}

// The strategy names each registered package declares, kept beside the loaders so that the
// names are known synchronously, at import time, while the modules themselves load lazily.
const DECLARED_NAMES = Symbol.for('@strata/core/backend-strategy-names');
function declaredNames(): Map<string, readonly string[] | undefined> {
  const holder = globalThis as { [DECLARED_NAMES]?: Map<string, readonly string[] | undefined> };
  return (holder[DECLARED_NAMES] ??= new Map());
}

/**
 * Registers a backend package for `createStrata()` and the Trainer's strategy names. Each
 * backend package registers itself when it is imported; `@strata/strategies` registers every
 * backend Strata ships with a literal `import()`, so bundlers see them and a backend that fails
 * to load does not stop the others. Registering a name again replaces its loader.
 *
 * @example
 * registerBackend('@strata/backend-cpu', () => import('@strata/backend-cpu'), { strategies: ['cpu'] });
 */
export function registerBackend(packageName: string, load: BackendLoader, registration: BackendRegistration = {}): void {
  registry().set(packageName, load);
  declaredNames().set(packageName, registration.strategies ? [...registration.strategies] : undefined);
}

/** The strategy names the registered packages declare, and whether every package declared its names. */
export interface DeclaredStrategyNames {
  /** Sorted, each once. */
  readonly names: readonly string[];
  /** False when some registered package declared no names: a name outside `names` may still exist. */
  readonly complete: boolean;
  /** How many backend packages are registered. */
  readonly backends: number;
}

/** The strategy names known from registrations alone, without loading any backend module. */
export function declaredStrategyNames(): DeclaredStrategyNames {
  const names = new Set<string>();
  let complete = true;
  for (const packageName of registry().keys()) {
    const declared = declaredNames().get(packageName);
    if (declared === undefined) complete = false;
    else for (const name of declared) names.add(name);
  }
  return { names: [...names].sort(), complete, backends: registry().size };
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
