import { poolInfo, windowOf } from './pool.js';
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
    const shape = x!.type.shape;
    const xs = b.select(b.compare(x!, x!, 'NE'), b.splat(-Infinity, shape, x!.type.elem), x!);
    return [b.reduceWindow(xs, b.constant(-Infinity, x!.type.elem), 'maximum', window, strides, padding, info.outShape)];
  },
};
