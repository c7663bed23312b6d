import { binaryOp } from './elementwise.js';

/** Sub: a - b with numpy broadcasting; one `stablehlo.subtract`. */
export const lowering = binaryOp('Sub', 'subtract');
