import { binaryOp } from './elementwise.js';

/** LogicalOr: a || b with numpy broadcasting; one `stablehlo.or`. */
export const lowering = binaryOp('LogicalOr', 'or');
