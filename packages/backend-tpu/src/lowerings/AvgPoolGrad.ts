import { poolInfo, windowSumTranspose } from './pool.js';
import type { KernelLowering } from './kernel-lowering.js';

/**
 * AvgPoolGrad: dy spread back over each window, divided by the window's area. tfjs divides by
 * the area even where the forward pass divided by fewer in-bounds cells ('same' padding); the
 * lowering matches tfjs, not the exact derivative.
 */
export const lowering: KernelLowering = {
  kernelName: 'AvgPoolGrad',
  inputs: ['dy', 'input'],
  infer: ([, x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
  lower: (b, [dy, x], attrs) => {
    const info = poolInfo(x!.type.shape, attrs);
    const area = b.splat(info.filterHeight * info.filterWidth, dy!.type.shape, dy!.type.elem);
    return [windowSumTranspose(b, b.ew('divide', dy!, area), info)];
  },
};
