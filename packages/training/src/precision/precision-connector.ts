import { StrataError, createStrataContainer, registeredStrategies, type DistributionStrategy, type Precision } from '@strata/core';
import { MixedPrecision } from './mixed-precision.js';
import { PrecisionPlugin } from './precision.js';

/** The precision plugin for `precision`. */
export function precisionPluginFor(precision: Precision): PrecisionPlugin {
  return precision === '32' ? new PrecisionPlugin() : new MixedPrecision(precision);
}

/**
 * Fails with `unsupported-precision` when `strategy` cannot train in `precision`, naming the
 * strategies that can (`others`: names of registered strategies that declare it, when known).
 */
export function assertStrategyPrecision(strategy: DistributionStrategy, precision: Precision, others?: readonly string[]): void {
  const supported = strategy.capabilities().precisions;
  if (supported.includes(precision)) return;
  // Without the registry (a synchronous check at construction), name the shipped strategy that declares it.
  const shipped = "Strata's 'tpu' strategy (@strata/backend-tpu) declares \"16-mixed\" and \"bf16-mixed\".";
  const where =
    others === undefined ? shipped : others.length > 0 ? `Registered strategies that support it: ${others.map((n) => `'${n}'`).join(', ')}.` : `No registered strategy declares it; ${shipped}`;
  throw new StrataError('unsupported-precision', `Strategy '${strategy.name}' cannot train in precision "${precision}" (it supports ${supported.map((p) => `"${p}"`).join(', ')}). ${where}`, {
    value: precision,
    fix: `use precision ${supported.map((p) => `"${p}"`).join(' or ')} on '${strategy.name}', or pick a strategy that supports "${precision}".`,
  });
}

/** Names of the installed strategies (through the DI container) whose capabilities include `precision`. */
export async function strategiesSupporting(precision: Precision): Promise<string[]> {
  try {
    const container = await createStrataContainer();
    return registeredStrategies(container)
      .filter((s) => s.capabilities().precisions.includes(precision))
      .map((s) => s.name);
  } catch {
    return [];
  }
}
