import { StrataError, quote } from './errors.js';
import type { DistributionStrategy } from './strategy.js';

/** The environment variable that picks a strategy when code names none. */
export const STRATEGY_ENV = 'STRATA_STRATEGY';

export interface SkippedStrategy {
  readonly name: string;
  readonly reason: string;
  readonly remedy: string;
}

export interface Selection {
  readonly strategy: DistributionStrategy;
  /** How the name was chosen: in code, from the environment, or by 'auto'. */
  readonly source: 'explicit' | 'environment' | 'auto';
  /** Strategies 'auto' tried first and passed over, with the reason. */
  readonly skipped: readonly SkippedStrategy[];
}

/** Explicit name first, then `STRATA_STRATEGY`, then 'auto'. Empty strings count as unset. */
export function requestedStrategyName(explicit?: string, env: NodeJS.ProcessEnv = processEnv()): {
  name: string;
  source: Selection['source'];
} {
  if (explicit !== undefined && explicit !== '') return { name: explicit, source: 'explicit' };
  const fromEnv = env[STRATEGY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { name: fromEnv, source: 'environment' };
  return { name: 'auto', source: 'auto' };
}

/**
 * Picks one strategy among the registered ones. A named strategy must exist and be
 * available; 'auto' takes the highest priority whose probe passes.
 */
export async function selectStrategy(
  registered: readonly DistributionStrategy[],
  explicit?: string,
  env?: NodeJS.ProcessEnv,
): Promise<Selection> {
  const { name, source } = requestedStrategyName(explicit, env);
  const names = registered.map((s) => s.name).sort();
  if (name !== 'auto') {
    const strategy = registered.find((s) => s.name === name);
    if (!strategy) {
      const where = source === 'environment' ? ` (from ${STRATEGY_ENV})` : '';
      throw new StrataError('unknown-strategy', `Unknown strategy ${quote(name)}${where}.`, {
        value: name,
        fix: `use one of the registered strategies: ${names.map((n) => quote(n)).join(', ') || '(none registered)'}, or 'auto'. A strategy registers when its backend package is imported (import '@strata/backend-cpu'); import '@strata/strategies' registers every strategy Strata ships.`,
      });
    }
    const availability = await strategy.isAvailable();
    if (!availability.available) {
      throw new StrataError('strategy-unavailable', `Strategy ${quote(name)} is not available here: ${availability.reason}`, {
        value: name,
        fix: availability.remedy,
      });
    }
    return { strategy, source, skipped: [] };
  }
  const skipped: SkippedStrategy[] = [];
  // Probe every strategy first: a probe may refine its priority (a software GPU adapter ranks
  // below the CPU, a native CPU engine above WASM).
  const available: DistributionStrategy[] = [];
  for (const strategy of registered) {
    const availability = await strategy.isAvailable();
    if (availability.available) available.push(strategy);
    else skipped.push({ name: strategy.name, reason: availability.reason, remedy: availability.remedy });
  }
  const best = available.sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name))[0];
  if (best) return { strategy: best, source, skipped };
  throw new StrataError('strategy-unavailable', `No registered strategy is available (tried ${names.map((n) => quote(n)).join(', ') || 'none'}).`, {
    value: 'auto',
    fix: skipped.map((s) => `${s.name}: ${s.remedy}`).join('; ') || "import a backend package (import '@strata/backend-cpu'), or '@strata/strategies' for every strategy Strata ships.",
  });
}

function processEnv(): NodeJS.ProcessEnv {
  return typeof process === 'undefined' ? {} : process.env;
}
