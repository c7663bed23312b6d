import { binaryOp } from './elementwise.js';

/** Add: a + b with numpy broadcasting; one `stablehlo.add`. */
export const lowering = binaryOp('Add', 'add');
