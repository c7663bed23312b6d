import { binaryOp } from './elementwise.js';

/** Pow: a ^ b with numpy broadcasting; one `stablehlo.power`. */
export const lowering = binaryOp('Pow', 'power');
