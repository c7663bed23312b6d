import { binaryOp } from './elementwise.js';

/** Multiply: a * b with numpy broadcasting; one `stablehlo.multiply`. */
export const lowering = binaryOp('Multiply', 'multiply');
