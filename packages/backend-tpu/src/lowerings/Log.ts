import { unaryOp } from './elementwise.js';

/** Log: natural log; one `stablehlo.log`. */
export const lowering = unaryOp('Log', 'log');
