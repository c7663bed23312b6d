import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WASM_BINARIES } from './wasm-binary-names.js';

/**
 * The installed tfjs-backend-wasm's dist folder (with a trailing slash), where its .wasm
 * binaries lie, so Node loads them from disk with no network; undefined outside Node or when the
 * package cannot be resolved. A browser build swaps this file for its twin.
 */
export function installedWasmFolder(): string | undefined {
  try {
    if (typeof process === 'undefined' || process.versions?.node === undefined) return undefined;
    const require = createRequire(import.meta.url);
    const folder = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    return existsSync(join(folder, WASM_BINARIES[1])) ? `${folder}/` : undefined;
  } catch {
    return undefined;
  }
}
