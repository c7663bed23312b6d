import { unary } from './elementwise.js';

/** Relu6: min(max(x, 0), 6). */
export const lowering = unary('Relu6', (b, x) =>
  b.ew('minimum', b.ew('maximum', x, b.splat(0, x.type.shape, x.type.elem)), b.splat(6, x.type.shape, x.type.elem)),
);
