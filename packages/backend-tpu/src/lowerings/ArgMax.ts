import { argReduction } from './argminmax.js';

/** ArgMax along one axis: the first index of the maximum; int32. */
export const lowering = argReduction('ArgMax', 'GE');
