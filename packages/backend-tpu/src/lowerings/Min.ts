import { reduction } from './reduction.js';

/** Min over axes. */
export const lowering = reduction('Min', 'minimum', (e) => (e === 'i32' ? 2147483647 : Infinity), (d) => d);
