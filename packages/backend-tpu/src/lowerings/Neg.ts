import { unaryOp } from './elementwise.js';

/** Neg: -x; one `stablehlo.negate`. */
export const lowering = unaryOp('Neg', 'negate');
