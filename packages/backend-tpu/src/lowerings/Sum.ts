import { reduction, sumDtype } from './reduction.js';

/** Sum over axes (bool sums to int32, as tfjs). */
export const lowering = reduction('Sum', 'add', () => 0, sumDtype);
