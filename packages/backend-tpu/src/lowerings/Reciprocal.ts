import { unary } from './elementwise.js';

/** Reciprocal: 1 / x. */
export const lowering = unary('Reciprocal', (b, x) => b.ew('divide', b.splat(1, x.type.shape, x.type.elem), x));
