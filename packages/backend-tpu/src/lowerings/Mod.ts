import { binary } from './elementwise.js';

/** Mod: remainder with the sign of the divisor, as tfjs computes it. */
export const lowering = binary('Mod', (b, x, y) => {
  const { shape, elem } = x.type;
  const zero = b.splat(0, shape, elem);
  const rem = b.ew('remainder', x, y);
  const fixed = b.ew('remainder', b.ew('add', rem, y), y);
  const sameSign = b.compare(b.compare(x, zero, 'LT'), b.compare(y, zero, 'LT'), 'EQ');
  return b.select(sameSign, rem, fixed);
});
