import { backend_util } from '@tensorflow/tfjs-core';
import { unary } from './elementwise.js';

/** Selu: scale * (x > 0 ? x : alpha * (e^x - 1)), tfjs's constants. */
export const lowering = unary('Selu', (b, x) => {
  const { shape, elem } = x.type;
  const neg = b.ew('multiply', b.splat(backend_util.SELU_SCALEALPHA, shape, elem), b.ew('exponential_minus_one', x));
  const pos = b.ew('multiply', b.splat(backend_util.SELU_SCALE, shape, elem), x);
  return b.select(b.compare(x, b.splat(0, shape, elem), 'GT'), pos, neg);
});
