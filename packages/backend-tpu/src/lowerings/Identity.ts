import { unary } from './elementwise.js';

/** Identity: the input itself (a fresh tensor in tfjs, one SSA value here). */
export const lowering = unary('Identity', (_b, x) => x);
