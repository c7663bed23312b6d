import { binaryOp } from './elementwise.js';

/** RealDiv: a / b with numpy broadcasting; one `stablehlo.divide`. */
export const lowering = binaryOp('RealDiv', 'divide');
