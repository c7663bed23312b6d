import { unaryOp } from './elementwise.js';

/** Expm1: e^x - 1, accurate near 0; one `stablehlo.exponential_minus_one`. */
export const lowering = unaryOp('Expm1', 'exponential_minus_one');
