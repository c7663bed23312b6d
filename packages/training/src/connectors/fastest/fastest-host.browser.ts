import corePackage from '@strata/core/package.json' with { type: 'json' };
import type { MachineSignature } from './machine-signature.js';

/**
 * What `strategy: 'fastest'` asks of the host in a browser: the machine as the page sees it,
 * a hash through Web Crypto, Strata's version, no environment variables, and a cache folder in
 * the origin's private storage (where checkpoints go too).
 */

interface NavigatorInfo {
  readonly userAgent?: string;
  readonly hardwareConcurrency?: number;
  readonly platform?: string;
}

/** This browser and machine, as the cache key sees it. */
export function machineSignature(): MachineSignature {
  const nav = (globalThis as { navigator?: NavigatorInfo }).navigator ?? {};
  return { hostname: globalThis.location?.host ?? 'browser', cpu: nav.userAgent ?? 'unknown', cpus: nav.hardwareConcurrency ?? 1, platform: nav.platform ?? 'browser', arch: 'browser' };
}

/** The SHA-256 of `text` (UTF-8), in hex, through Web Crypto. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Strata's version, from @strata/core's package.json, bundled. */
export function strataVersion(): string {
  return (corePackage as { version: string }).version;
}

/** A page has no environment variables. */
export function hostEnvironment(): Readonly<Record<string, string | undefined>> {
  return {};
}

/** The cache folder in the origin's private storage. */
export function defaultCacheDir(_env: Readonly<Record<string, string | undefined>>): string {
  return 'strata-cache';
}
