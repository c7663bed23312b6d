import { unaryOp } from './elementwise.js';

/** Floor: round down; one `stablehlo.floor`. */
export const lowering = unaryOp('Floor', 'floor');
