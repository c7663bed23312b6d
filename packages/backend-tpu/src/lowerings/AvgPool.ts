import { poolInfo, windowSums } from './pool.js';
import type { KernelLowering } from './kernel-lowering.js';

/** AvgPool: window sums over the count of in-bounds cells (padding not counted, as tfjs). */
export const lowering: KernelLowering = {
  kernelName: 'AvgPool',
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: poolInfo(x!.shape, attrs).outShape, dtype: x!.dtype }],
  lower: (b, [x], attrs) => {
    const { sum, count } = windowSums(b, x!, poolInfo(x!.type.shape, attrs));
    return [b.ew('divide', sum, count)];
  },
};
