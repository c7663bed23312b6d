import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_BINARIES } from '@strata/backend-wasm';
import { makeSample, type SampleOptions } from '../sample/make-sample.js';
import { bundlePage, type PageBundle } from './bundle-page.js';

/** The example's folder (the same two levels up from src/build and dist/build). */
const EXAMPLE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Where `npm run browser` builds the site. */
export const DEFAULT_SITE_DIR = join(EXAMPLE_DIR, 'dist', 'site');

/** What a site build made. */
export interface SiteBuild {
  readonly dir: string;
  readonly bundle: PageBundle;
}

/**
 * Builds the whole site into `dir`: `index.html`, the bundled `app.js`, the sample images with
 * `labels.json` under `sample/`, and tfjs-backend-wasm's binaries under `wasm/`.
 */
export async function buildSite(dir: string = DEFAULT_SITE_DIR, sample: SampleOptions = {}): Promise<SiteBuild> {
  await mkdir(dir, { recursive: true });
  await makeSample(join(dir, 'sample'), sample);
  await copyFile(join(EXAMPLE_DIR, 'src', 'page', 'index.html'), join(dir, 'index.html'));
  await copyWasmBinaries(join(dir, 'wasm'));
  const bundle = await bundlePage(dir);
  return { dir, bundle };
}

/** Copies tfjs-backend-wasm's .wasm files (installed with @strata/backend-wasm) into `dir`. */
export async function copyWasmBinaries(dir: string): Promise<void> {
  const require = createRequire(import.meta.resolve('@strata/backend-wasm'));
  const from = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  await mkdir(dir, { recursive: true });
  await Promise.all(WASM_BINARIES.map((name) => copyFile(join(from, name), join(dir, name))));
}
