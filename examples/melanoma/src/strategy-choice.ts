import {
  StrataError,
  createStrataContainer,
  registeredStrategies,
  requestedStrategyName,
  selectStrategy,
  type DistributionStrategy,
  type Precision,
} from '@strata/core';
import type { MelanomaSettings } from './settings.js';

/** The strategy a run trains on, the precision it trains in, and lines worth printing about them. */
export interface StrategyChoice {
  readonly strategy: DistributionStrategy;
  readonly precision: Precision;
  readonly notes: readonly string[];
}

type HardwareSettings = Pick<MelanomaSettings, 'strategy' | 'devices' | 'devicesFlag' | 'precision' | 'precisionSource' | 'preset'> & Partial<Pick<MelanomaSettings, 'tpuAddress'>>;

/**
 * Picks the strategy (by name, `STRATA_STRATEGY`, then 'auto') among the registered backends
 * and checks, from each strategy's `capabilities()`, that it can train in the precision and on
 * the device count asked for, before any data is made. A precision the preset chose falls back
 * to 32-bit where the strategy lacks it (with a note); one given with `--precision` fails,
 * naming the registered strategies that have it. Too many devices fail the same way.
 */
export async function chooseStrategy(settings: HardwareSettings, env: NodeJS.ProcessEnv = process.env): Promise<StrategyChoice> {
  // --tpu-address is the TPU strategy's address variable for this run (read when the strategies are made).
  if (settings.tpuAddress !== undefined) process.env.STRATA_TPU_ADDRESS = settings.tpuAddress;
  const container = await createStrataContainer({ devices: settings.devices });
  const registered = registeredStrategies(container);
  const { name } = requestedStrategyName(settings.strategy, env);
  // A named strategy is checked before its availability probe, which may take a while.
  const named = registered.find((s) => s.name === name);
  if (named) checkFits(named, settings, registered);
  const { strategy } = await selectStrategy(registered, settings.strategy, env);
  return checkFits(strategy, settings, registered);
}

function checkFits(strategy: DistributionStrategy, settings: HardwareSettings, registered: readonly DistributionStrategy[]): StrategyChoice {
  const capabilities = strategy.capabilities();
  const others = registered.filter((s) => s !== strategy);
  const devices = settings.devices;
  if (devices !== undefined && devices !== -1 && devices > capabilities.maxReplicas) {
    const able = others.filter((s) => s.capabilities().maxReplicas >= devices).map((s) => `'${s.name}'`);
    throw new StrataError('unsupported-option', `Strategy '${strategy.name}' trains on at most ${capabilities.maxReplicas} device(s); ${settings.devicesFlag} ${devices} asks for ${devices}.`, {
      value: devices,
      fix: `use ${settings.devicesFlag} ${capabilities.maxReplicas} or less on '${strategy.name}'${able.length > 0 ? `, or --strategy ${able.join(' or ')}, whose capabilities allow ${devices} devices` : ' (no registered strategy declares as many devices)'}.`,
    });
  }
  const precision = settings.precision;
  if (capabilities.precisions.includes(precision)) return { strategy, precision, notes: [] };
  const able = others.filter((s) => s.capabilities().precisions.includes(precision)).map((s) => `'${s.name}'`);
  const where = able.length > 0 ? `registered strategies with it: ${able.join(', ')}` : 'no registered strategy declares it';
  if (settings.precisionSource === 'preset') {
    // The preset asks for 16-bit where the strategy has it: here it does not.
    return {
      strategy,
      precision: '32',
      notes: [`--preset ${settings.preset}: precision "${precision}" is not among the '${strategy.name}' strategy's precisions (${capabilities.precisions.join(', ')}), so it trains in "32" (${where}).`],
    };
  }
  throw new StrataError('unsupported-precision', `Strategy '${strategy.name}' cannot train in precision "${precision}": its capabilities declare ${capabilities.precisions.map((p) => `"${p}"`).join(', ')}.`, {
    value: precision,
    fix: able.length > 0 ? `use --strategy ${able.join(' or ')} for precision "${precision}", or --precision 32 on '${strategy.name}'.` : `use --precision 32 (${where}).`,
  });
}
