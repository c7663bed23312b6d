import { reduction, sumDtype } from './reduction.js';

/** Prod over axes. */
export const lowering = reduction('Prod', 'multiply', () => 1, sumDtype);
