import { binaryOp } from './elementwise.js';

/** LogicalAnd: a && b with numpy broadcasting; one `stablehlo.and`. */
export const lowering = binaryOp('LogicalAnd', 'and');
