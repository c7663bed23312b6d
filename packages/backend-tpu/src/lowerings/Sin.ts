import { unaryOp } from './elementwise.js';

/** Sin: sine; one `stablehlo.sine`. */
export const lowering = unaryOp('Sin', 'sine');
