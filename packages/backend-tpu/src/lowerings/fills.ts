// Shared by ZerosLike and OnesLike: a tensor of one value.
import type { KernelLowering } from './kernel-lowering.js';

export function likeLowering(kernelName: string, value: number): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
    lower: (b, [x]) => [b.splat(value, x!.type.shape, x!.type.elem)],
  };
}
