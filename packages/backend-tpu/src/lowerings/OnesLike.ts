import { likeLowering } from './fills.js';

/** OnesLike: a splat constant (host ones when the input is not pending, as ZerosLike). */
export const lowering = likeLowering('OnesLike', 1);
