import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NativeVariant } from './native-home.js';

/** Bumped when the layout of a built engine changes, so older builds are rebuilt. */
export const MANIFEST_FORMAT = 1;

/** What `strata-native build` built, written next to the engine as manifest.json. */
export interface NativeManifest {
  readonly format: number;
  readonly variant: NativeVariant;
  /** The tfjs-node version whose binding sources were compiled. */
  readonly tfjsNode: string;
  readonly tensorflow: {
    /** `TF_Version()` of the libraries, as the built binding reported it. */
    readonly version: string;
    /** The folder the libraries were found in, and how it was found. */
    readonly dir: string;
    readonly source: string;
    readonly ccLibrary: string;
    readonly frameworkLibrary: string;
    /** Size and modification time of the library file, to notice a reinstalled wheel. */
    readonly fingerprint: string;
    readonly cudaBuild: boolean;
    readonly cudaVersion?: string;
    readonly cudnnVersion?: string;
  };
  /** The binding, relative to the engine folder. */
  readonly binding: string;
  /** The stderr-capture addon that filters TensorFlow's load-time log, relative to the engine folder. */
  readonly stderrCapture?: string;
  /** The tfjs-node package folder (its dist/ holds the backend), relative to the engine folder. */
  readonly packageDir: string;
  readonly node: { readonly version: string; readonly napi: string };
  readonly builtAt: string;
  readonly buildSeconds: number;
}

export function manifestPath(dir: string): string {
  return join(dir, 'manifest.json');
}

/** The manifest in `dir`, or undefined when there is none or it is of another format. */
export function readManifest(dir: string): NativeManifest | undefined {
  const path = manifestPath(dir);
  if (!existsSync(path)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as NativeManifest;
    return manifest.format === MANIFEST_FORMAT ? manifest : undefined;
  } catch {
    return undefined;
  }
}

export function writeManifest(dir: string, manifest: NativeManifest): void {
  writeFileSync(manifestPath(dir), `${JSON.stringify(manifest, null, 2)}\n`);
}
