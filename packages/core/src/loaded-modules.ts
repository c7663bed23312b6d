import type { Container, ContainerModule } from 'inversify';

// The token each strategy module binds as it loads (strategyModule), so that a container shows
// whether it holds the module, whoever loaded it: the host, or an earlier createStrata. One map
// per process, shared by every copy of @strata/core, as the backend registry is.
const MARKERS = Symbol.for('@strata/core/module-markers');
function markers(): WeakMap<ContainerModule, symbol> {
  const holder = globalThis as { [MARKERS]?: WeakMap<ContainerModule, symbol> };
  return (holder[MARKERS] ??= new WeakMap());
}

// Modules createStrataContainer loaded, per container: how a module without a marker (one a
// host made itself) is known to be loaded.
const loadedHere = new WeakMap<Container, WeakSet<ContainerModule>>();

/** Records `marker` as the token `module` binds when it loads. */
export function setLoadMarker(module: ContainerModule, marker: symbol): void {
  markers().set(module, marker);
}

/** Whether `container` itself (not a parent) holds `module`. */
export function isModuleLoaded(container: Container, module: ContainerModule): boolean {
  const marker = markers().get(module);
  return (marker !== undefined && container.isCurrentBound(marker)) || (loadedHere.get(container)?.has(module) ?? false);
}

/** Loads into `container` each of `modules` it does not hold yet, once. */
export function loadMissingModules(container: Container, modules: readonly ContainerModule[]): void {
  const missing = modules.filter((module, i) => modules.indexOf(module) === i && !isModuleLoaded(container, module));
  if (missing.length === 0) return;
  container.load(...missing);
  const loaded = loadedHere.get(container) ?? new WeakSet();
  for (const module of missing) loaded.add(module);
  loadedHere.set(container, loaded);
}
