import { unary } from './elementwise.js';

/** ClipByValue: min(max(x, clipValueMin), clipValueMax). */
export const lowering = unary('ClipByValue', (b, x, attrs) => {
  const { shape, elem } = x.type;
  const lo = b.splat(Number(attrs.clipValueMin), shape, elem);
  const hi = b.splat(Number(attrs.clipValueMax), shape, elem);
  return b.ew('minimum', b.ew('maximum', x, lo), hi);
});
