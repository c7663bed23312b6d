import { nativeEngineStatus } from '@strata/backend-cpu';
import { CudaStrategy } from '@strata/backend-cuda';
import type { ContractTarget } from '../contract-target.js';

/**
 * The CUDA strategy on GPU 0. Skips, with the probe's reason and remedy, wherever it cannot run
 * (no GPU, no CUDA engine, CUDA or cuDNN missing...). One process holds one TensorFlow runtime,
 * so where the CPU native engine runs in the same suite, CUDA is run on its own:
 * STRATA_CONTRACT_TARGETS=cuda.
 */
export const target: ContractTarget = {
  name: 'cuda',
  create: () => new CudaStrategy({ device: 0 }),
  // TensorFlow's GPU kernels (cuDNN, TF32 off by default in TF for f32 matmuls) against tfjs-backend-cpu.
  tolerance: 1e-3,
  skip: async () => {
    const availability = await new CudaStrategy({ device: 0 }).isAvailable();
    if (!availability.available) return `cuda unavailable: ${availability.reason} Fix: ${availability.remedy}`;
    const only = process.env.STRATA_CONTRACT_TARGETS?.split(',');
    const cpuNativeRuns = nativeEngineStatus('cpu').state === 'ready' && (!only || only.includes('cpu-native'));
    return cpuNativeRuns ? 'the CPU native engine runs in this process (one TensorFlow runtime per process): run STRATA_CONTRACT_TARGETS=cuda' : undefined;
  },
};
