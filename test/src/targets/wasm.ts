import { WasmStrategy } from '@strata/backend-wasm';
import type { ContractTarget } from '../contract-target.js';

/**
 * tfjs-backend-wasm (XNNPACK, SIMD) with @strata/backend-wasm's training kernels. Its binaries
 * come from the installed package, so it runs wherever Node does; it skips, saying why, only
 * where the runtime has no WebAssembly or the package cannot be resolved.
 */
export const target: ContractTarget = {
  name: 'wasm',
  create: () => new WasmStrategy(),
  // f32 throughout, with XNNPACK's summation orders instead of tfjs-backend-cpu's.
  tolerance: 1e-4,
  skip: async () => {
    const availability = await new WasmStrategy().isAvailable();
    return availability.available ? undefined : `wasm unavailable: ${availability.reason} Fix: ${availability.remedy}`;
  },
};
