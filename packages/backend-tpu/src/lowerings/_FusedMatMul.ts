import { biasActivation } from './contraction.js';
import { lowerMatMul, matMulShape } from './matmul.js';
import type { KernelLowering } from './kernel-lowering.js';

/** _FusedMatMul (tf.fused.matMul): activation(a @ b + bias). */
export const lowering: KernelLowering = {
  kernelName: '_FusedMatMul',
  inputs: ['a', 'b', 'bias', 'preluActivationWeights'],
  infer: ([a, c], attrs) => [{ shape: matMulShape(a!, c!, attrs), dtype: a!.dtype }],
  lower: (b, [a, c, bias, prelu], attrs, [out]) => [biasActivation(b, lowerMatMul(b, a!, c!, attrs, out.shape), bias, prelu, attrs)],
};
