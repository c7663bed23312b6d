import { convBackpropInput, convInfo } from './conv.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Conv2DBackpropInput (dx of conv2d, also conv2dTranspose). */
export const lowering: KernelLowering = {
  kernelName: 'Conv2DBackpropInput',
  inputs: ['dy', 'filter'],
  infer: ([dy], attrs) => [{ shape: [...(attrs.inputShape as number[])], dtype: dy!.dtype }],
  lower: (b, [dy, f], attrs) => {
    const info = convInfo(attrs.inputShape as number[], f!.type.shape, { ...attrs, dilations: 1 }, false);
    return [convBackpropInput(b, dy!, f!, info, false)];
  },
};
