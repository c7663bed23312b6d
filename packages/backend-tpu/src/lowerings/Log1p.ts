import { unaryOp } from './elementwise.js';

/** Log1p: log(1 + x), accurate near 0; one `stablehlo.log_plus_one`. */
export const lowering = unaryOp('Log1p', 'log_plus_one');
