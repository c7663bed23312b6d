import type { KernelLowering } from './kernel-lowering.js';

/** AddN: the sum of its inputs (all of one shape). */
export const lowering: KernelLowering = {
  kernelName: 'AddN',
  inputs: null,
  infer: (ins) => [{ shape: [...ins[0]!.shape], dtype: ins[0]!.dtype }],
  lower: (b, ins) => [ins.slice(1).reduce((acc, v) => b.ew('add', acc!, v!), ins[0])!],
};
