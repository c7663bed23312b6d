import { CpuStrategy, nativeEngineStatus } from '@strata/backend-cpu';
import type { ContractTarget } from '../contract-target.js';

/**
 * The CPU strategy on the native TensorFlow engine (tfjs-node's binding built by
 * `npx strata-native build` against the tensorflow-cpu wheel). Skips, saying why, where the
 * engine is not built; with STRATA_REQUIRE_NATIVE=1 (CI) it never skips, so a broken engine
 * build fails the suite instead of hiding.
 */
export const target: ContractTarget = {
  name: 'cpu-native',
  create: () => new CpuStrategy({ engine: 'native' }),
  // TensorFlow's kernels (oneDNN, Eigen) sum in other orders than tfjs-backend-cpu.
  tolerance: 1e-4,
  skip: async () => {
    if (process.env.STRATA_REQUIRE_NATIVE === '1') return undefined;
    const status = nativeEngineStatus('cpu');
    return status.state === 'ready' ? undefined : `native engine ${status.state}: ${status.reason} Fix: ${status.remedy}`;
  },
};
