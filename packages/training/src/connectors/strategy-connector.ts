import type * as tf from '@tensorflow/tfjs-core';
import {
  AUTO_STRATEGY,
  FASTEST_STRATEGY,
  StrataError,
  assertStrategyNameRegistered,
  createStrata,
  globalRngState,
  invalidOption,
  registeredStrategies,
  requestedStrategyName,
  type DistributionStrategy,
} from '@strata/core';
import type { Loader } from '../loader.js';
import { assertStrategyPrecision, precisionPluginFor } from '../precision/precision-connector.js';
import type { PrecisionPlugin } from '../precision/precision.js';
import type { TrainerSettings } from '../trainer-settings.js';
import type { TrainingModule } from '../training-module.js';
import { chooseFastestStrategy } from './fastest/choose-fastest.js';

/**
 * Turns the strategy, precision and determinism options into a working strategy, as
 * Lightning's accelerator connector does. A strategy instance is checked at construction, and
 * so is a strategy name (explicit or `STRATA_STRATEGY`), against the names the registered
 * backend packages declare; the name is resolved (through the installed backends' DI modules)
 * on first use. 'fastest' resolves to the 'auto' pick until the first fit knows the module and
 * its data, then to the strategy that runs the module's step fastest (see fastest/).
 */
export class StrategyConnector {
  readonly precisionPlugin: PrecisionPlugin;
  private resolved: DistributionStrategy | undefined;
  /** The registered strategies, from the container that resolved a strategy name (none for an instance). */
  private registered: (() => DistributionStrategy[]) | undefined;
  private precisionSet = false;
  /** True while 'fastest' still has to measure: from its resolution until a fit has chosen. */
  private fastestPending = false;

  constructor(private readonly options: TrainerSettings) {
    this.precisionPlugin = precisionPluginFor(options.precision);
    if (typeof options.strategy === 'object') {
      // Known now: fail at construction rather than after data loading.
      assertStrategyPrecision(options.strategy, options.precision);
      this.resolved = options.strategy;
    } else {
      // The registered packages declare their strategy names, so an unknown name fails now, before any backend loads.
      assertStrategyNameRegistered(options.strategy);
    }
    if (options.deterministic && !globalRngState()) {
      invalidOption('deterministic', true, 'used after seedEverything(seed) (call it before creating the Trainer), or false');
    }
  }

  /** The resolved strategy; fails before `setup`. */
  get strategy(): DistributionStrategy {
    if (!this.resolved) throw new StrataError('not-set-up', 'The Trainer resolves its strategy in fit() or validate().', { fix: 'call fit(), validate() or setupStrategy() first.' });
    return this.resolved;
  }

  /**
   * Resolves the strategy (by name through the installed backends' DI modules), checks the
   * precision against its capabilities, sets it, and sets the strategy up.
   */
  async setup(): Promise<DistributionStrategy> {
    if (!this.resolved) {
      const { name } = requestedStrategyName(typeof this.options.strategy === 'string' ? this.options.strategy : undefined);
      const fastest = name === FASTEST_STRATEGY;
      const { strategy, container } = await createStrata({ strategy: fastest ? AUTO_STRATEGY : name, devices: this.options.devices });
      this.resolved = strategy;
      this.registered = () => registeredStrategies(container);
      this.fastestPending = fastest;
    }
    const strategy = this.resolved;
    if (!this.precisionSet) {
      const precision = this.options.precision;
      if (!strategy.capabilities().precisions.includes(precision)) assertStrategyPrecision(strategy, precision, this.registered?.());
      strategy.setPrecision(precision);
      this.precisionSet = true;
    }
    await strategy.setup();
    return strategy;
  }

  /**
   * The strategy a fit trains `module` on, set up. The fit loop calls it once the module's
   * variables exist (after `configureModel`) and before its optimizer is made, with logging
   * silent. For 'fastest', the first call chooses (from the cache, or by timing the module's step
   * on `loader`'s first batch on each available strategy) and moves the variables onto the pick;
   * later fits of this Trainer keep it. Otherwise it is the strategy `setup` resolved.
   */
  async strategyForTraining<B extends tf.TensorContainer>(module: TrainingModule<B>, loader: Loader<B>, epoch: number): Promise<DistributionStrategy> {
    const active = await this.setup();
    if (!this.fastestPending) return active;
    this.resolved = await chooseFastestStrategy({
      active,
      registered: this.registered?.() ?? [active],
      module,
      loader,
      epoch,
      precision: this.options.precision,
      devices: this.options.devices,
      options: this.options.fastest,
      print: (line) => console.log(line),
      warn: (line) => console.warn(line),
    });
    this.fastestPending = false;
    return this.resolved;
  }
}
