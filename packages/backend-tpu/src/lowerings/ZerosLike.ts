import { likeLowering } from './fills.js';

/**
 * ZerosLike: a splat constant. (Of a tensor that is not pending, such as a variable, the
 * backend makes host zeros instead, so that optimizer state created in the first step is a
 * program argument as in every later step.)
 */
export const lowering = likeLowering('ZerosLike', 0);
