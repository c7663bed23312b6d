import { unaryOp } from './elementwise.js';

/** LogicalNot: boolean not; one `stablehlo.not`. */
export const lowering = unaryOp('LogicalNot', 'not');
