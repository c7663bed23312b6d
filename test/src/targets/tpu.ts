import { TpuStrategy, localXlaServerUnavailableReason, startLocalXlaServer, type LocalXlaServer } from '@strata/backend-tpu';
import type { ContractTarget } from '../contract-target.js';

let server: LocalXlaServer | undefined;
let address = process.env.STRATA_TPU_ADDRESS ?? '';

/**
 * The TPU strategy against the real Strata XLA server, started here on a free port (XLA:CPU,
 * one device) unless STRATA_TPU_ADDRESS points at a running one. f32 throughout, with XLA's
 * fused kernels and summation orders instead of tfjs-backend-cpu's.
 */
export const target: ContractTarget = {
  name: 'tpu',
  create: () => new TpuStrategy({ address }),
  tolerance: 1e-3,
  skip: async () => (process.env.STRATA_TPU_ADDRESS ? undefined : localXlaServerUnavailableReason()),
  before: async () => {
    if (process.env.STRATA_TPU_ADDRESS) return;
    server = await startLocalXlaServer();
    address = server.address;
  },
  after: async () => {
    await server?.stop();
    server = undefined;
  },
};
