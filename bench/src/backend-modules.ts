import type { BackendLoadFailure, LoadedBackendModules } from '@strata/core';

type Provider = () => Promise<LoadedBackendModules>;
let provider: Provider | undefined;

/**
 * The single-file bundle cannot import backends by computed name (as @strata/core's
 * `loadInstalledBackendModules` does), so its entry registers a loader with literal imports here.
 */
export function provideBackendModules(load: Provider): void {
  provider = load;
}

/** The bundle's backend modules, or undefined to let @strata/core find the installed packages. */
export async function providedBackendModules(): Promise<LoadedBackendModules | undefined> {
  return provider?.();
}

/** Loads each backend's DI module; one that throws is reported, never fatal to the others. */
export async function loadEach(loaders: Readonly<Record<string, () => Promise<{ default?: unknown }>>>): Promise<LoadedBackendModules> {
  const modules: LoadedBackendModules['modules'] = [];
  const failures: BackendLoadFailure[] = [];
  for (const [packageName, load] of Object.entries(loaders)) {
    try {
      const module = (await load()).default;
      if (module) modules.push(module as LoadedBackendModules['modules'][number]);
    } catch (error) {
      failures.push({ packageName, error });
    }
  }
  return { modules, failures };
}
