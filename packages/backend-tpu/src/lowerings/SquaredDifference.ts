import { binary } from './elementwise.js';

/** SquaredDifference: (a - b)^2. */
export const lowering = binary('SquaredDifference', (b, x, y) => {
  const d = b.ew('subtract', x, y);
  return b.ew('multiply', d, d);
});
