import { convForward, convInfo } from './conv.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Conv2D: one stablehlo.convolution (NHWC or NCHW input, HWIO filter). */
export const lowering: KernelLowering = {
  kernelName: 'Conv2D',
  inputs: ['x', 'filter'],
  infer: ([x, f], attrs) => [{ shape: convInfo(x!.shape, f!.shape, attrs, false).outShape, dtype: x!.dtype }],
  lower: (b, [x, f], attrs) => [convForward(b, x!, f!, convInfo(x!.type.shape, f!.type.shape, attrs, false), false)],
};
