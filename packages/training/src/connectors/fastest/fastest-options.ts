import { invalidOption } from '@strata/core';
import { defaultCacheDir, hostEnvironment } from './fastest-host.js';

/** Environment variables, by name. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** How `strategy: 'fastest'` measures and caches (the Trainer's `fastest` option). */
export interface FastestOptions {
  /**
   * Time each available strategy gets, in milliseconds: one warm-up step, then timed steps
   * until the budget is spent (at least one, at most 50). Default 3000.
   */
  readonly budgetMs?: number;
  /** Measure again even when the cache holds a pick for this machine and model. Default: `STRATA_FASTEST_REMEASURE=1`, else false. */
  readonly remeasure?: boolean;
  /**
   * The folder of the cache file, or false for no cache. Default: `STRATA_CACHE_DIR`, else
   * `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`; in a browser, 'strata-cache' in the
   * origin's private storage.
   */
  readonly cacheDir?: string | false;
}

export interface ResolvedFastestOptions {
  readonly budgetMs: number;
  /** Undefined: decided by `STRATA_FASTEST_REMEASURE` when fit starts. */
  readonly remeasure: boolean | undefined;
  /** Undefined: the default folder, from the environment when fit starts. */
  readonly cacheDir: string | false | undefined;
}

export const DEFAULT_FASTEST_BUDGET_MS = 3000;
/** The environment variable that forces a new measurement. */
export const REMEASURE_ENV = 'STRATA_FASTEST_REMEASURE';
/** The environment variable that moves Strata's cache folder. */
export const CACHE_DIR_ENV = 'STRATA_CACHE_DIR';

/** Checks the Trainer's `fastest` option and fills its defaults. */
export function resolveFastestOptions(value: FastestOptions | undefined): ResolvedFastestOptions {
  if (value === undefined) return { budgetMs: DEFAULT_FASTEST_BUDGET_MS, remeasure: undefined, cacheDir: undefined };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalidOption('fastest', value, 'an object such as { budgetMs: 3000 }');
  for (const key of Object.keys(value)) {
    if (!['budgetMs', 'remeasure', 'cacheDir'].includes(key)) invalidOption('fastest', key, 'an object with budgetMs, remeasure or cacheDir');
  }
  const { budgetMs = DEFAULT_FASTEST_BUDGET_MS, remeasure, cacheDir } = value;
  if (typeof budgetMs !== 'number' || !Number.isFinite(budgetMs) || budgetMs <= 0) invalidOption('fastest.budgetMs', budgetMs, 'a number of milliseconds > 0, such as 3000');
  if (remeasure !== undefined && typeof remeasure !== 'boolean') invalidOption('fastest.remeasure', remeasure, 'true or false');
  if (cacheDir !== undefined && cacheDir !== false && (typeof cacheDir !== 'string' || cacheDir === '')) {
    invalidOption('fastest.cacheDir', cacheDir, 'a folder path, or false for no cache');
  }
  return { budgetMs, remeasure, cacheDir };
}

/** Whether to measure even with a cached pick: the option, else `STRATA_FASTEST_REMEASURE`. */
export function remeasureRequested(options: ResolvedFastestOptions, env: Environment = hostEnvironment()): boolean {
  if (options.remeasure !== undefined) return options.remeasure;
  const flag = env[REMEASURE_ENV];
  return flag !== undefined && flag !== '' && flag !== '0' && flag.toLowerCase() !== 'false';
}

/** The cache folder: the option, else `STRATA_CACHE_DIR`, else `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`; false: none. */
export function fastestCacheDir(options: ResolvedFastestOptions, env: Environment = hostEnvironment()): string | false {
  if (options.cacheDir !== undefined) return options.cacheDir;
  if (env[CACHE_DIR_ENV]) return env[CACHE_DIR_ENV];
  return defaultCacheDir(env);
}
