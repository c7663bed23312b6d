import { binaryOp } from './elementwise.js';

/** Maximum: max(a, b) with numpy broadcasting; one `stablehlo.maximum`. */
export const lowering = binaryOp('Maximum', 'maximum');
