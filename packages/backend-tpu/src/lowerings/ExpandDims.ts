import { util } from '@tensorflow/tfjs-core';
import type { KernelLowering } from './kernel-lowering.js';

function expanded(shape: readonly number[], dim: number): number[] {
  const rank = shape.length;
  // tfjs-backend-cpu's check and message.
  util.assert(-(rank + 1) <= dim && dim <= rank, () => `Axis must be in the interval [${-(rank + 1)}, ${rank}]`);
  const axis = dim < 0 ? dim + shape.length + 1 : dim;
  const out = [...shape];
  out.splice(axis, 0, 1);
  return out;
}

/** ExpandDims: a size-1 axis at attrs.dim (a reshape). */
export const lowering: KernelLowering = {
  kernelName: 'ExpandDims',
  inputs: ['input'],
  infer: ([x], attrs) => [{ shape: expanded(x!.shape, attrs.dim as number), dtype: x!.dtype }],
  lower: (b, [x], _attrs, [out]) => [b.reshape(x!, out.shape)],
};
