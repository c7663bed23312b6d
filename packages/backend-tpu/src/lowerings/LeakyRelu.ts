import { unary } from './elementwise.js';

/** LeakyRelu: x where x >= 0, else alpha * x; float32 output, as tfjs. */
export const lowering = unary('LeakyRelu', (b, xIn, attrs) => {
  const x = b.convert(xIn, 'f32');
  const { shape, elem } = x.type;
  const scaled = b.ew('multiply', x, b.splat(Number(attrs.alpha), shape, elem));
  return b.select(b.compare(x, b.splat(0, shape, elem), 'LT'), scaled, x);
}, 'float32');
