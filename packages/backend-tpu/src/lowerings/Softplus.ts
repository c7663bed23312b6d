import { unary } from './elementwise.js';

/** Softplus: log(1 + e^x), written max(x, 0) + log1p(e^-|x|) so it never overflows. */
export const lowering = unary('Softplus', (b, x) => {
  const { shape, elem } = x.type;
  const tail = b.ew('log_plus_one', b.ew('exponential', b.ew('negate', b.ew('abs', x))));
  return b.ew('add', b.ew('maximum', x, b.splat(0, shape, elem)), tail);
});
