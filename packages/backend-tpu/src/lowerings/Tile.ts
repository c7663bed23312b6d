import type { KernelLowering } from './kernel-lowering.js';

/**
 * Tile: broadcast to [r0, d0, r1, d1, ...] and reshape to [r0*d0, r1*d1, ...]: row-major
 * order makes index k*d + j read x[j], which is what tiling means.
 */
export const lowering: KernelLowering = {
  kernelName: 'Tile',
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: x!.shape.map((d, i) => d * (attrs.reps as number[])[i]), dtype: x!.dtype }],
  lower: (b, [x], attrs, [out]) => {
    const reps = attrs.reps as number[];
    const shape = x!.type.shape;
    const wide = shape.flatMap((d, i) => [reps[i], d]);
    const spread = b.broadcastInDim(x!, wide, shape.map((_, i) => 2 * i + 1));
    return [b.reshape(spread, out.shape)];
  },
};
