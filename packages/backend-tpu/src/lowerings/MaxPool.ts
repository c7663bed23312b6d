import { nanAsNegInf, poolInfo, windowOf } from './pool.js';
import type { KernelLowering } from './kernel-lowering.js';

/** MaxPool: reduce_window max, padding from tfjs's pool info (padded cells never win). */
export const lowering: KernelLowering = {
  kernelName: 'MaxPool',
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: poolInfo(x!.shape, attrs).outShape, dtype: x!.dtype }],
  lower: (b, [x], attrs) => {
    const info = poolInfo(x!.type.shape, attrs);
    const { window, strides, padding } = windowOf(info);
    // NaNs never win, as in tfjs's comparison loop.
    return [b.reduceWindow(nanAsNegInf(b, x!), b.constant(-Infinity, x!.type.elem), 'maximum', window, strides, padding, info.outShape)];
  },
};
