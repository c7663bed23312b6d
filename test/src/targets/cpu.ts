import { CpuStrategy } from '@strata/backend-cpu';
import type { ContractTarget } from '../contract-target.js';

/** The reference itself: tfjs's pure-JavaScript CPU backend. */
export const target: ContractTarget = {
  name: 'cpu',
  create: () => new CpuStrategy({ engine: 'js' }),
  tolerance: 1e-6,
};
