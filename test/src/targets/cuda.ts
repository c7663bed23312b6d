import { nativeEngineStatus } from '@strata/backend-cpu';
import { CudaStrategy } from '@strata/backend-cuda';
import type { ContractTarget } from '../contract-target.js';

/**
 * The CUDA strategy on the machine's GPU, on the engine 'auto' picks: XLA through jax's CUDA
 * plugin where it is installed, else the native TensorFlow engine. Skips, with the reason and
 * remedy, wherever it cannot run (no GPU, no engine...). On the native engine, one process
 * holds one TensorFlow runtime, so where the CPU native engine runs in the same suite, CUDA is
 * run on its own: STRATA_CONTRACT_TARGETS=cuda.
 */
export const target: ContractTarget = {
  name: 'cuda',
  create: () => new CudaStrategy({ device: 0 }),
  // GPU kernels (cuDNN; XLA:GPU's TF32 matmuls and convolutions on recent GPUs) against tfjs-backend-cpu.
  tolerance: 1e-3,
  skip: async () => {
    const strategy = new CudaStrategy({ device: 0 });
    const availability = await strategy.isAvailable();
    if (!availability.available) return `cuda unavailable: ${availability.reason} Fix: ${availability.remedy}`;
    if (strategy.engineName() !== 'native') return undefined;
    const only = process.env.STRATA_CONTRACT_TARGETS?.split(',');
    const cpuNativeRuns = nativeEngineStatus('cpu').state === 'ready' && (!only || only.includes('cpu-native'));
    return cpuNativeRuns ? 'the CPU native engine runs in this process (one TensorFlow runtime per process): run STRATA_CONTRACT_TARGETS=cuda' : undefined;
  },
};
