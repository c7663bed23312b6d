import { unary } from './elementwise.js';

/** Elu: x where x > 0, else e^x - 1. */
export const lowering = unary('Elu', (b, x) =>
  b.select(b.compare(x, b.splat(0, x.type.shape, x.type.elem), 'GT'), x, b.ew('exponential_minus_one', x)),
);
