import { unaryOp } from './elementwise.js';

/** Rsqrt: 1 / sqrt(x); one `stablehlo.rsqrt`. */
export const lowering = unaryOp('Rsqrt', 'rsqrt');
