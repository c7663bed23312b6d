import { Container, type ContainerModule } from 'inversify';
import { loadRegisteredBackendModules, type BackendLoadFailure } from './backend-registry.js';
import { StrataError, errorReason, quote } from './errors.js';
import { loadMissingModules } from './loaded-modules.js';
import { selectStrategy, type Selection } from './selection.js';
import { DistributionStrategy } from './strategy.js';
import { StrategyOptions, type StrategyOptionsMap } from './tokens.js';

export interface StrataContainerOptions {
  /** Backend DI modules to load; by default those of every registered backend package (`registerBackend`). */
  readonly modules?: readonly ContainerModule[];
  /** Options per strategy name, e.g. `{ tpu: { address: 'grpc://10.0.0.2:8470', cores: 8 } }`. */
  readonly strategyOptions?: StrategyOptionsMap;
  /**
   * Load into this container instead of a new one (a host application's own). A module it holds
   * already, loaded by the host or by an earlier call, is not loaded again.
   */
  readonly container?: Container;
  /**
   * Devices (replicas) to train on, for whichever strategy is picked: TPU cores, GPUs; -1 for
   * all the strategy has (Lightning's `devices=-1`). Given to every strategy as its `devices`
   * option; a strategy with fewer is an error.
   */
  readonly devices?: number;
}

/**
 * A container with Strata's strategies bound, ready for `container.getAll(DistributionStrategy)`.
 *
 * @example
 * const container = await createStrataContainer();
 * const names = registeredStrategies(container).map((s) => s.name);
 */
export async function createStrataContainer(options: StrataContainerOptions = {}): Promise<Container> {
  const container = options.container ?? new Container();
  if (!container.isBound(StrategyOptions)) {
    const common = options.devices === undefined ? {} : { '*': { devices: options.devices } };
    container.bind<StrategyOptionsMap>(StrategyOptions).toConstantValue({ ...common, ...(options.strategyOptions ?? {}) });
  }
  const loaded = options.modules ? { modules: [...options.modules], failures: [] } : await loadRegisteredBackendModules();
  loadMissingModules(container, loaded.modules);
  loadFailures.set(container, loaded.failures);
  return container;
}

const loadFailures = new WeakMap<Container, BackendLoadFailure[]>();

/** Registered backend packages that failed to load into `container`. */
export function backendLoadFailures(container: Container): readonly BackendLoadFailure[] {
  return loadFailures.get(container) ?? [];
}

/** Every strategy bound in `container`, in registration order. */
export function registeredStrategies(container: Container): DistributionStrategy[] {
  if (!container.isBound(DistributionStrategy)) return [];
  return container.getAll<DistributionStrategy>(DistributionStrategy);
}

export interface CreateStrataOptions extends StrataContainerOptions {
  /** A strategy name or 'auto'; when absent, `STRATA_STRATEGY`, then 'auto'. */
  readonly strategy?: string;
}

/**
 * The composition root: loads the registered backends and picks one strategy.
 *
 * @example
 * const { strategy } = await createStrata({ strategy: process.argv[2] }); // 'cpu', 'tpu', 'auto'...
 * const trainer = new Trainer({ strategy, maxEpochs: 3 });
 */
export async function createStrata(options: CreateStrataOptions = {}): Promise<Selection & { container: Container }> {
  const container = await createStrataContainer(options);
  const failures = backendLoadFailures(container);
  try {
    if (options.devices !== undefined && (!Number.isInteger(options.devices) || (options.devices < 1 && options.devices !== -1))) {
      throw new StrataError('invalid-option', `Invalid option devices: received ${quote(options.devices)}.`, {
        value: options.devices,
        fix: 'devices must be an integer >= 1, or -1 for all the devices the strategy has.',
      });
    }
    const selection = await selectStrategy(registeredStrategies(container), options.strategy);
    const most = selection.strategy.capabilities().maxReplicas;
    // -1 is "all": whatever the strategy has is enough.
    if (options.devices !== undefined && options.devices !== -1 && options.devices > most) {
      throw new StrataError('unsupported-option', `Strategy '${selection.strategy.name}' can run on ${most} device(s); devices: ${options.devices} was asked for.`, {
        value: options.devices,
        fix: `use devices: ${most} or fewer on '${selection.strategy.name}' (-1 for all), or a strategy with more devices (cuda with several GPUs, tpu).`,
      });
    }
    return { ...selection, container };
  } catch (error) {
    if (!(error instanceof StrataError) || failures.length === 0) throw error;
    // A strategy that is missing because its package failed to load: say so, with the cause.
    const broken = failures.find((f) => error.value === 'auto' || f.packageName.endsWith(`-${String(error.value)}`));
    if (!broken) throw error;
    throw new StrataError(error.kind, `${error.reason} Backend package ${quote(broken.packageName)} is registered but failed to load: ${errorReason(broken.error)}`, {
      value: error.value,
      fix: `reinstall ${broken.packageName} (or rebuild it, where you build it from source), or stop importing it.`,
      cause: broken.error,
    });
  }
}
