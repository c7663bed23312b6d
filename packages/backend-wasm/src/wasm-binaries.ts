import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The three binaries tfjs-backend-wasm 4.22 ships, by the name `setWasmPaths` knows them. */
export const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/**
 * The installed tfjs-backend-wasm's dist folder (with a trailing slash), where its .wasm
 * binaries lie, so Node loads them from disk with no network; undefined outside Node or when the
 * package cannot be resolved.
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

/** True when this runtime validates WebAssembly SIMD (the probe tfjs-wasm itself uses). */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11,
    ]));
  } catch {
    return false;
  }
}
