import { lowerMatMul, matMulShape } from './matmul.js';
import type { KernelLowering } from './kernel-lowering.js';

/** BatchMatMul: a @ b (transposes, broadcast batch), one dot_general in the precision's operand type. */
export const lowering: KernelLowering = {
  kernelName: 'BatchMatMul',
  inputs: ['a', 'b'],
  infer: ([a, c], attrs) => [{ shape: matMulShape(a!, c!, attrs), dtype: a!.dtype }],
  lower: (b, [a, c], attrs, [out]) => [lowerMatMul(b, a!, c!, attrs, out.shape)],
};
