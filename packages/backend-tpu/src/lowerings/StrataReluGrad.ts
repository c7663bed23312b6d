import { STRATA_RELU_GRAD } from '@strata/core';
import type { KernelLowering } from './kernel-lowering.js';

/**
 * Relu's gradient, dy where x > 0 else 0, as jax's relu vjp lowers it. tfjs's own gradient is
 * dy * step(x), and Step keeps NaN, which costs XLA two more selects in the fused loop over the
 * largest activations (half the time of that loop on the tiny CNN); here NaN gives 0, as in
 * TensorFlow, jax and PyTorch. Used through @strata/core's gradient override for 'xla'.
 */
export const lowering: KernelLowering = {
  kernelName: STRATA_RELU_GRAD,
  inputs: ['dy', 'x'],
  infer: ([dy]) => [{ shape: [...dy!.shape], dtype: dy!.dtype }],
  lower: (b, [dy, x]) => {
    const zero = b.splat(0, x!.type.shape, x!.type.elem);
    return [b.select(b.compare(x!, zero, 'GT'), dy!, zero)];
  },
};
