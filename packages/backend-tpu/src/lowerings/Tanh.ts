import { unaryOp } from './elementwise.js';

/** Tanh: hyperbolic tangent; one `stablehlo.tanh`. */
export const lowering = unaryOp('Tanh', 'tanh');
