import { util } from '@tensorflow/tfjs-core';
import type { KernelLowering } from './kernel-lowering.js';

/** Reshape (a -1 in attrs.shape is inferred, as tfjs does). */
export const lowering: KernelLowering = {
  kernelName: 'Reshape',
  inputs: ['x'],
  infer: ([x], attrs) => [
    { shape: util.inferFromImplicitShape(attrs.shape as number[], util.sizeFromShape(x!.shape)), dtype: x!.dtype },
  ],
  lower: (b, [x], _attrs, [out]) => [b.reshape(x!, out.shape)],
};
