import { convBackpropInput, convInfo } from './conv.js';
import type { KernelLowering } from './kernel-lowering.js';

/** DepthwiseConv2dNativeBackpropInput (dx of a depthwise convolution). */
export const lowering: KernelLowering = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  inputs: ['dy', 'filter'],
  infer: ([dy], attrs) => [{ shape: [...(attrs.inputShape as number[])], dtype: dy!.dtype }],
  lower: (b, [dy, f], attrs) => {
    const info = convInfo(attrs.inputShape as number[], f!.type.shape, attrs, true);
    return [convBackpropInput(b, dy!, f!, info, true)];
  },
};
