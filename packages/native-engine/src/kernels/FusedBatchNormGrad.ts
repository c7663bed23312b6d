import * as tf from '@tensorflow/tfjs-core';
import { STRATA_BATCH_NORM_TRAINING_GRAD, higherOrder, overrideGradient } from '@strata/core';
import { NATIVE_BACKEND_NAME, fusedBatchNormAttrs } from './native-backend.js';
import type { NativeKernelConfig } from './register-native-kernel.js';

/** Strata's kernel name: TensorFlow's FusedBatchNormGradV3 with given statistics. */
export const STRATA_FUSED_BATCH_NORM_GRAD = 'StrataFusedBatchNormGrad';

/**
 * TensorFlow's FusedBatchNormGradV3 as a kernel of [dy, x, scale, mean, variance] giving
 * [dx, dscale, doffset], where `mean` and `variance` are what the forward pass normalized with.
 * `isTraining: false` treats them as constants (tfjs's `batchNorm`, whatever computed them): one
 * pass over x and dy gives dx = dy * scale * rsqrt(var + eps), dscale = sum(dy * (x - mean) *
 * rsqrt(var + eps)) and doffset = sum(dy). `isTraining: true` treats them as x's own batch
 * statistics and adds their gradients to dx. The CPU kernel reads them as the forward op's
 * reserve spaces, which on the CPU are the batch mean and the biased variance.
 */
function fusedBatchNormGradOp(kernelName: string, isTraining: boolean): NativeKernelConfig {
  return {
    kernelName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, x, scale, mean, variance } = inputs as Record<string, tf.TensorInfo>;
      const opAttrs = fusedBatchNormAttrs(backend, attrs!.varianceEpsilon, isTraining);
      // reserve_space_3 is only read by the GPU kernels; any float tensor fills the slot.
      const outputs = backend.executeMultipleOutputs('FusedBatchNormGradV3', opAttrs, [dy!, x!, scale!, mean!, variance!, mean!], 5);
      outputs[3]!.dispose();
      outputs[4]!.dispose();
      return outputs.slice(0, 3);
    },
  };
}

/** For tfjs's batchNorm (statistics as inputs). Attrs: { varianceEpsilon }, as both kernels. */
export const fusedBatchNormGradKernel: NativeKernelConfig = fusedBatchNormGradOp(STRATA_FUSED_BATCH_NORM_GRAD, false);

/** For Strata's `batchNormTraining` (statistics from x). */
export const batchNormTrainingGradKernel: NativeKernelConfig = fusedBatchNormGradOp(STRATA_BATCH_NORM_TRAINING_GRAD, true);

/**
 * tfjs's batch norm gradient is about fifteen full-size ops (a Tile of rsqrt to x's shape,
 * x - mean twice, products, three reductions). This one is the fused TensorFlow kernel plus
 * per-channel arithmetic for the mean and variance gradients, which the fused kernel leaves out:
 *   dmean = -scale * rsqrt(var + eps) * doffset
 *   dvar  = -0.5 * scale * dscale / (var + eps)      (dscale already holds one rsqrt)
 * Only the layout the fused kernel takes: x of rank 4 (tfjs's batchNorm makes it so), float32,
 * per-channel (rank-1) statistics.
 */
export function registerFusedBatchNormGradient(): void {
  overrideGradient('FusedBatchNorm', NATIVE_BACKEND_NAME, (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D | undefined];
    const channels = x.shape[3];
    const perChannel = (t: tf.Tensor | undefined) => t == null || (t.rank === 1 && t.shape[0] === channels && t.dtype === 'float32');
    if (x.rank !== 4 || x.dtype !== 'float32' || dy.dtype !== 'float32' || !perChannel(mean) || !perChannel(variance) || !perChannel(scale) || higherOrder()) {
      return undefined;
    }
    const epsilon = attrs.varianceEpsilon as number;
    const scaleValue = scale ?? tf.ones([channels]);
    // Computed here rather than in the closures, as tfjs's own gradients do: the fused kernel
    // runs once for all five gradients, and what the engine does not take is disposed with the
    // backward pass's scope.
    const [dx, dscale, doffset] = tf.engine().runKernel(STRATA_FUSED_BATCH_NORM_GRAD, { dy, x, scale: scaleValue, mean, variance }, { varianceEpsilon: epsilon }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    return {
      x: () => dx,
      scale: () => dscale,
      offset: () => doffset,
      mean: () => tf.neg(tf.mul(tf.mul(scaleValue, tf.rsqrt(tf.add(variance, epsilon))), doffset)),
      variance: () => tf.mul(tf.mul(scaleValue, dscale), tf.div(-0.5, tf.add(variance, epsilon))),
    };
  });
}
