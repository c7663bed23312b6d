import { unaryOp } from './elementwise.js';

/** Sqrt: square root; one `stablehlo.sqrt`. */
export const lowering = unaryOp('Sqrt', 'sqrt');
