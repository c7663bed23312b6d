import { binaryOp } from './elementwise.js';

/** Minimum: min(a, b) with numpy broadcasting; one `stablehlo.minimum`. */
export const lowering = binaryOp('Minimum', 'minimum');
