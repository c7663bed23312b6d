import { convBackpropFilter, convInfo } from './conv.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Conv2DBackpropFilter (dfilter of conv2d). */
export const lowering: KernelLowering = {
  kernelName: 'Conv2DBackpropFilter',
  inputs: ['x', 'dy'],
  infer: ([x], attrs) => [{ shape: [...(attrs.filterShape as number[])], dtype: x!.dtype }],
  lower: (b, [x, dy], attrs) => {
    const info = convInfo(x!.type.shape, attrs.filterShape as number[], { ...attrs, dilations: 1 }, false);
    return [convBackpropFilter(b, x!, dy!, info, false)];
  },
};
