import { unary } from './elementwise.js';

/** Round: half to even, as tfjs; integers are already round. */
export const lowering = unary('Round', (b, x) => (x.type.elem === 'f32' ? b.ew('round_nearest_even', x) : x));
