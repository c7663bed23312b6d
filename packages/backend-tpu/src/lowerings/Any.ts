import { reduction } from './reduction.js';

/** Any: logical or over axes. */
export const lowering = reduction('Any', 'or', () => 0, () => 'bool');
