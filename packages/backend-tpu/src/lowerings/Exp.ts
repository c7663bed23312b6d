import { unary } from './elementwise.js';

/** Exp: e^x; float32 even for int32 input, as tfjs. */
export const lowering = unary('Exp', (b, x) => b.ew('exponential', b.convert(x, 'f32')), 'float32');
