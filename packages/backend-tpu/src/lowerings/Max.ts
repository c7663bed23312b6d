import { reduction } from './reduction.js';

/** Max over axes. */
export const lowering = reduction('Max', 'maximum', (e) => (e === 'i32' ? -2147483648 : -Infinity), (d) => d);
