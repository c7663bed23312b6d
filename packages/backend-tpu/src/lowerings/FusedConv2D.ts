import { biasActivation } from './contraction.js';
import { convForward, convInfo } from './conv.js';
import type { KernelLowering } from './kernel-lowering.js';

/** FusedConv2D (tf.fused.conv2d): activation(conv(x, filter) + bias). */
export const lowering: KernelLowering = {
  kernelName: 'FusedConv2D',
  inputs: ['x', 'filter', 'bias', 'preluActivationWeights'],
  infer: ([x, f], attrs) => [{ shape: convInfo(x!.shape, f!.shape, attrs, false).outShape, dtype: x!.dtype }],
  lower: (b, [x, f, bias, prelu], attrs) => {
    const info = convInfo(x!.type.shape, f!.type.shape, attrs, false);
    return [biasActivation(b, convForward(b, x!, f!, info, false), bias, prelu, attrs, info.dataFormat === 'channelsFirst')];
  },
};
