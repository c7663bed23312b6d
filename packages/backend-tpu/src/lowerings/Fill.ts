import type { DataType } from '@tensorflow/tfjs-core';
import { elemOf } from '../hlo/hlo-types.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Fill: shape and value from attributes (the backend records it as a host fill; this lowers a splat). */
export const lowering: KernelLowering = {
  kernelName: 'Fill',
  inputs: [],
  infer: (_ins, attrs) => [{ shape: [...(attrs.shape as number[])], dtype: (attrs.dtype as DataType) ?? 'float32' }],
  lower: (b, _ins, attrs, [out]) => [b.splat(Number(attrs.value), out.shape, elemOf(out.dtype))],
};
