import type { KernelLowering } from './kernel-lowering.js';

/** Transpose by attrs.perm. */
export const lowering: KernelLowering = {
  kernelName: 'Transpose',
  inputs: ['x'],
  infer: ([x], attrs) => [{ shape: (attrs.perm as number[]).map((p) => x!.shape[p]), dtype: x!.dtype }],
  lower: (b, [x], attrs) => [b.transpose(x!, attrs.perm as number[])],
};
