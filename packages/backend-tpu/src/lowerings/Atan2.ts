import { binaryOp } from './elementwise.js';

/** Atan2: atan2(a, b) with numpy broadcasting; one `stablehlo.atan2`. */
export const lowering = binaryOp('Atan2', 'atan2');
