import { unary } from './elementwise.js';

/** IsNan: x != x. */
export const lowering = unary('IsNan', (b, x) => b.compare(x, x, 'NE'), 'bool');
