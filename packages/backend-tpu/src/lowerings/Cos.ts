import { unaryOp } from './elementwise.js';

/** Cos: cosine; one `stablehlo.cosine`. */
export const lowering = unaryOp('Cos', 'cosine');
