import { unaryOp } from './elementwise.js';

/** Sigmoid: 1 / (1 + e^-x); one `stablehlo.logistic`. */
export const lowering = unaryOp('Sigmoid', 'logistic');
