/**
 * Where the .wasm binaries are in a browser build when the page names no `wasmPaths`: the
 * folder of the script this module is bundled into (with a trailing slash), so copying
 * tfjs-backend-wasm's `.wasm` files next to the bundle is enough.
 */
export function installedWasmFolder(): string | undefined {
  return new URL('./', import.meta.url).href;
}
