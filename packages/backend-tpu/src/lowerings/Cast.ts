import type { DataType } from '@tensorflow/tfjs-core';
import { elemOf } from '../hlo/hlo-types.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Cast: float to int truncates, anything to bool is "not zero", bool to number is 0 or 1. */
export const lowering: KernelLowering = {
  kernelName: 'Cast',
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: [...x!.shape], dtype: attrs.dtype as DataType }],
  lower: (b, [x], attrs) => [b.convert(x!, elemOf(attrs.dtype as DataType))],
};
