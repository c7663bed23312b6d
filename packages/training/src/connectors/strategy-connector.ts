import { StrataError, createStrata, globalRngState, invalidOption, registeredStrategies, type DistributionStrategy } from '@strata/core';
import { assertStrategyPrecision, precisionPluginFor } from '../precision/precision-connector.js';
import type { PrecisionPlugin } from '../precision/precision.js';
import type { TrainerSettings } from '../trainer-settings.js';

/**
 * Turns the strategy, precision and determinism options into a working strategy, as
 * Lightning's accelerator connector does. A strategy instance is checked at construction; a
 * strategy name is resolved (through the installed backends' DI modules) on first use.
 */
export class StrategyConnector {
  readonly precisionPlugin: PrecisionPlugin;
  private resolved: DistributionStrategy | undefined;
  /** The registered strategies, from the container that resolved a strategy name (none for an instance). */
  private registered: (() => DistributionStrategy[]) | undefined;
  private precisionSet = false;

  constructor(private readonly options: TrainerSettings) {
    this.precisionPlugin = precisionPluginFor(options.precision);
    if (typeof options.strategy === 'object') {
      // Known now: fail at construction rather than after data loading.
      assertStrategyPrecision(options.strategy, options.precision);
      this.resolved = options.strategy;
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
      const name = typeof this.options.strategy === 'string' ? this.options.strategy : undefined;
      const { strategy, container } = await createStrata({ strategy: name, devices: this.options.devices });
      this.resolved = strategy;
      this.registered = () => registeredStrategies(container);
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
}
