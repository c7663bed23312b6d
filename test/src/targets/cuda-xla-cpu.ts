import { CudaStrategy } from '@strata/backend-cuda';
import type { ContractTarget } from '../contract-target.js';

/**
 * The CUDA strategy's XLA engine on the XLA:CPU platform: the same child XLA server, started
 * and stopped by the strategy itself, that trains on NVIDIA GPUs, here on one host device, so
 * that every run covers it without a GPU. Skips, saying why, where the server's Python
 * environment is missing.
 */
export const target: ContractTarget = {
  name: 'cuda-xla-cpu',
  create: () => new CudaStrategy({ platform: 'cpu', engine: 'xla' }),
  // As the tpu target: f32 with XLA's fused kernels and summation orders.
  tolerance: 1e-3,
  skip: async () => {
    const availability = await new CudaStrategy({ platform: 'cpu', engine: 'xla' }).isAvailable();
    return availability.available ? undefined : `cuda on XLA:CPU unavailable: ${availability.reason} Fix: ${availability.remedy}`;
  },
};
