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
