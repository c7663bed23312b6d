import { unaryOp } from './elementwise.js';

/** Abs: |x|; one `stablehlo.abs`. */
export const lowering = unaryOp('Abs', 'abs');
