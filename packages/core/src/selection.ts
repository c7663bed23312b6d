import { declaredStrategyNames } from './backend-registry.js';
import { StrataError, quote } from './errors.js';
import type { DistributionStrategy } from './strategy.js';

/** The environment variable that picks a strategy when code names none. */
export const STRATEGY_ENV = 'STRATA_STRATEGY';

/** Picks the highest-priority available strategy. */
export const AUTO_STRATEGY = 'auto';
/**
 * Measures the module's own training step on every available strategy and trains on the
 * fastest. Only a Trainer resolves it, since it needs the module and a batch.
 */
export const FASTEST_STRATEGY = 'fastest';

/** The strategies whose backend package (of the same name) registers itself when imported. */
const SELF_REGISTERING: readonly string[] = ['cpu', 'wasm', 'webgpu', 'cuda'];

const HOW_TO_REGISTER =
  "A strategy registers when its backend package is imported (import '@strata/backend-cpu'); import '@strata/strategies' registers every strategy Strata ships.";

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
  if (name === FASTEST_STRATEGY) {
    throw new StrataError('invalid-option', `Strategy ${quote(name)}${fromEnvironment(source)} needs a model to measure, and only a Trainer has one.`, {
      value: name,
      fix: `give it to a Trainer (new Trainer({ strategy: 'fastest' })), which measures the module's training step on each available strategy at the start of fit(); here, name a strategy (${names.map((n) => quote(n)).join(', ') || 'none registered'}) or 'auto'.`,
    });
  }
  if (name !== AUTO_STRATEGY) {
    const strategy = registered.find((s) => s.name === name);
    if (!strategy) throw unknownStrategy(name, source, names, false);
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

/**
 * Checks the requested name (explicit, else `STRATA_STRATEGY`) against the strategy names the
 * registered backend packages declare, without loading any of them, so that a Trainer given an
 * unknown name fails at construction. 'auto' and 'fastest' always pass; so does a name when
 * some registered package declared no names (it is checked once the backends load).
 */
export function assertStrategyNameRegistered(explicit?: string, env: NodeJS.ProcessEnv = processEnv()): void {
  const { name, source } = requestedStrategyName(explicit, env);
  if (name === AUTO_STRATEGY || name === FASTEST_STRATEGY) return;
  const declared = declaredStrategyNames();
  if (declared.backends === 0) {
    throw new StrataError('unknown-strategy', `Unknown strategy ${quote(name)}${fromEnvironment(source)}: no strategy is registered.`, {
      value: name,
      fix: `import '@strata/strategies' (every strategy Strata ships) or a backend package such as '@strata/backend-${SELF_REGISTERING.includes(name) ? name : 'cpu'}' before creating the Trainer.`,
    });
  }
  if (declared.names.includes(name) || !declared.complete) return;
  throw unknownStrategy(name, source, declared.names, true);
}

function unknownStrategy(name: string, source: Selection['source'], names: readonly string[], fastest: boolean): StrataError {
  const keywords = fastest ? "'auto' or 'fastest'" : "or 'auto'";
  const listed = names.map((n) => quote(n)).join(', ') || '(none registered)';
  return new StrataError('unknown-strategy', `Unknown strategy ${quote(name)}${fromEnvironment(source)}.`, {
    value: name,
    fix: `use one of the registered strategies: ${listed}, ${keywords}. ${HOW_TO_REGISTER}`,
  });
}

function fromEnvironment(source: Selection['source']): string {
  return source === 'environment' ? ` (from ${STRATEGY_ENV})` : '';
}

function processEnv(): NodeJS.ProcessEnv {
  return typeof process === 'undefined' ? {} : process.env;
}
