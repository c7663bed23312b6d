/** The three binaries tfjs-backend-wasm 4.22 ships, by the name `setWasmPaths` knows them. */
export const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;
