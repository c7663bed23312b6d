import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where weight files are read and written on Node: the local file system. A browser build swaps
 * this file for its twin, which fetches URLs and writes nothing.
 */

/** `name` inside the folder `dir`. */
export function joinWeightPath(dir: string, name: string): string {
  return join(dir, name);
}

/** The bytes of a local file. */
export async function readWeightBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}

/** Writes each named file into `dir`, creating it. */
export async function writeWeightFiles(dir: string, files: Readonly<Record<string, Uint8Array | string>>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
}
