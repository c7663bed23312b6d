import { unary } from './elementwise.js';

/** Step: 1 where x > 0, else alpha; NaN stays NaN (as tfjs-backend-cpu). */
export const lowering = unary('Step', (b, x, attrs) => {
  const shape = x.type.shape;
  const elem = x.type.elem;
  const stepped = b.select(b.compare(x, b.splat(0, shape, elem), 'GT'), b.splat(1, shape, elem), b.splat(Number(attrs.alpha ?? 0), shape, elem));
  return b.select(b.compare(x, x, 'NE'), x, stepped);
});
