import { unary } from './elementwise.js';

/** Square: x * x. */
export const lowering = unary('Square', (b, x) => b.ew('multiply', x, x));
