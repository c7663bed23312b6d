import { unary } from './elementwise.js';

/** Relu: max(x, 0). */
export const lowering = unary('Relu', (b, x) => b.ew('maximum', x, b.splat(0, x.type.shape, x.type.elem)));
