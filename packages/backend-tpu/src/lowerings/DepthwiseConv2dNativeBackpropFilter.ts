import { convBackpropFilter, convInfo } from './conv.js';
import type { KernelLowering } from './kernel-lowering.js';

/** DepthwiseConv2dNativeBackpropFilter (dfilter of a depthwise convolution). */
export const lowering: KernelLowering = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  inputs: ['x', 'dy'],
  infer: ([x], attrs) => [{ shape: [...(attrs.filterShape as number[])], dtype: x!.dtype }],
  lower: (b, [x, dy], attrs) => {
    const info = convInfo(x!.type.shape, attrs.filterShape as number[], attrs, true);
    return [convBackpropFilter(b, x!, dy!, info, true)];
  },
};
