import { convForward, convInfo } from './conv.js';
import type { KernelLowering } from './kernel-lowering.js';

/** DepthwiseConv2dNative: a convolution with one feature group per input channel. */
export const lowering: KernelLowering = {
  kernelName: 'DepthwiseConv2dNative',
  inputs: ['x', 'filter'],
  infer: ([x, f], attrs) => [{ shape: convInfo(x!.shape, f!.shape, attrs, true).outShape, dtype: x!.dtype }],
  lower: (b, [x, f], attrs) => [convForward(b, x!, f!, convInfo(x!.type.shape, f!.type.shape, attrs, true), true)],
};
