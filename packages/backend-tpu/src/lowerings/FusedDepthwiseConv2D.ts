import { biasActivation } from './contraction.js';
import { convForward, convInfo } from './conv.js';
import type { KernelLowering } from './kernel-lowering.js';

/** FusedDepthwiseConv2D: activation(depthwiseConv(x, filter) + bias). */
export const lowering: KernelLowering = {
  kernelName: 'FusedDepthwiseConv2D',
  inputs: ['x', 'filter', 'bias', 'preluActivationWeights'],
  infer: ([x, f], attrs) => [{ shape: convInfo(x!.shape, f!.shape, attrs, true).outShape, dtype: x!.dtype }],
  lower: (b, [x, f, bias, prelu], attrs) => {
    const info = convInfo(x!.type.shape, f!.type.shape, attrs, true);
    return [biasActivation(b, convForward(b, x!, f!, info, true), bias, prelu, attrs)];
  },
};
