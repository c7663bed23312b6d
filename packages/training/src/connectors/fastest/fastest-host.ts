import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { arch, cpus, homedir, hostname, platform } from 'node:os';
import { join } from 'node:path';
import type { MachineSignature } from './machine-signature.js';

/**
 * What `strategy: 'fastest'` asks of the host on Node: the machine, a hash, Strata's version,
 * the environment and the cache folder. A browser build swaps this file for its twin.
 */

/** This machine, as the cache key sees it. */
export function machineSignature(): MachineSignature {
  const list = cpus();
  return { hostname: hostname(), cpu: list[0]?.model.trim() ?? 'unknown', cpus: list.length, platform: platform(), arch: arch() };
}

/** The SHA-256 of `text` (UTF-8), in hex. */
export async function sha256Hex(text: string): Promise<string> {
  return createHash('sha256').update(text).digest('hex');
}

/** Strata's version, from @strata/core's package.json as installed. */
export function strataVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@strata/core/package.json') as { version: string }).version;
}

/** The process's environment variables. */
export function hostEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/** The cache folder when neither the option nor `STRATA_CACHE_DIR` names one: `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'strata');
  return join(homedir(), '.cache', 'strata');
}
