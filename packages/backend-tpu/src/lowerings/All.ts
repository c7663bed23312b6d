import { reduction } from './reduction.js';

/** All: logical and over axes. */
export const lowering = reduction('All', 'and', () => 1, () => 'bool');
