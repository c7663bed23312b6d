import { argReduction } from './argminmax.js';

/** ArgMin along one axis: the first index of the minimum; int32. */
export const lowering = argReduction('ArgMin', 'LE');
