import { WebGpuStrategy } from '@strata/backend-webgpu';
import type { ContractTarget } from '../contract-target.js';

/**
 * WebGPU through tfjs-backend-webgpu: Dawn in Node; headless without a GPU, Mesa's llvmpipe
 * (bash scripts/setup.sh installs its Debian packages). Skips, saying why, where no adapter exists.
 */
export const target: ContractTarget = {
  name: 'webgpu',
  create: () => new WebGpuStrategy(),
  // f32 on the GPU, with other summation orders than tfjs-backend-cpu's.
  tolerance: 1e-3,
  skip: async () => {
    const availability = await new WebGpuStrategy().isAvailable();
    return availability.available ? undefined : `webgpu unavailable: ${availability.reason} Fix: ${availability.remedy}`;
  },
};
