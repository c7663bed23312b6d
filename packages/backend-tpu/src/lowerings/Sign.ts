import { unary } from './elementwise.js';

/** Sign: -1, 0 or 1; NaN gives 0, as tfjs. */
export const lowering = unary('Sign', (b, x) => {
  const { shape, elem } = x.type;
  if (elem !== 'f32') return b.ew('sign', x);
  return b.select(b.compare(x, x, 'NE'), b.splat(0, shape, elem), b.ew('sign', x));
});
