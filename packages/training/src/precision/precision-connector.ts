import { StrataError, type DistributionStrategy, type Precision } from '@strata/core';
import { MixedPrecision } from './mixed-precision.js';
import { PrecisionPlugin } from './precision.js';

/** The precision plugin for `precision`. */
export function precisionPluginFor(precision: Precision): PrecisionPlugin {
  return precision === '32' ? new PrecisionPlugin() : new MixedPrecision(precision);
}

/**
 * Fails with `unsupported-precision` when `strategy` cannot train in `precision`. The message
 * is worded from what the strategies declare in `capabilities().precisions`: the precisions
 * `strategy` supports and, when `others` is given (the registered strategies, known once a
 * strategy was resolved by name), those of them that declare `precision`.
 */
export function assertStrategyPrecision(strategy: DistributionStrategy, precision: Precision, others?: readonly DistributionStrategy[]): void {
  const supported = strategy.capabilities().precisions;
  if (supported.includes(precision)) return;
  const quoted = supported.map((p) => `"${p}"`);
  const able = others?.filter((s) => s.capabilities().precisions.includes(precision)).map((s) => `'${s.name}'`);
  const where =
    able === undefined ? '' : able.length > 0 ? ` Registered strategies that support it: ${able.join(', ')}.` : ' No registered strategy declares it.';
  throw new StrataError('unsupported-precision', `Strategy '${strategy.name}' cannot train in precision "${precision}": its capabilities().precisions declare ${quoted.join(', ')}.${where}`, {
    value: precision,
    fix: `use precision ${quoted.join(' or ')} on '${strategy.name}', or a strategy whose capabilities().precisions include "${precision}".`,
  });
}
