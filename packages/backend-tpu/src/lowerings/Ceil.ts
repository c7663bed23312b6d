import { unaryOp } from './elementwise.js';

/** Ceil: round up; one `stablehlo.ceil`. */
export const lowering = unaryOp('Ceil', 'ceil');
