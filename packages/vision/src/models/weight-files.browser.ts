import { StrataError, quote } from '@strata/core';

/**
 * Where weight files come from in a browser: URLs (relative ones against the page), fetched.
 * A page writes no files, so saving is refused.
 */

/** `name` inside the folder URL `dir`. */
export function joinWeightPath(dir: string, name: string): string {
  return dir === '' ? name : dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** The bytes at `url`; rejects on a network error or an HTTP error status. */
export async function readWeightBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText} for ${url}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Refuses: a browser page has no file system to save weights to. */
export async function writeWeightFiles(dir: string, _files: Readonly<Record<string, Uint8Array | string>>): Promise<void> {
  throw new StrataError('unsupported-option', `Weights cannot be saved to ${quote(dir)}: a browser page has no file system.`, {
    value: dir,
    fix: 'save weights in Node, or keep the trained model in the page (checkpoints go to browser storage through ModelCheckpoint).',
  });
}
