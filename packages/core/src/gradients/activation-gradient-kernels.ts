import * as tf from '@tensorflow/tfjs-core';
import { higherOrder, type GradientOverride } from './gradient-overrides.js';

/**
 * Kernels tfjs has no name for: an activation's gradient in one op. A backend that has one
 * registers the kernel and `overrideGradient(kernel's activation, its name, ...ViaKernel)`.
 */
export const STRATA_RELU_GRAD = 'StrataReluGrad';
export const STRATA_SIGMOID_GRAD = 'StrataSigmoidGrad';

/**
 * Relu's gradient as one kernel, `dy` where x > 0 and 0 elsewhere, in place of tfjs's
 * `mul(dy, step(x))`. It differs from tfjs only where x is NaN: 0 here (as TensorFlow's
 * ReluGrad, jax and PyTorch), NaN in tfjs.
 */
export const reluGradViaKernel: GradientOverride = (dy, [x]) => {
  if (dy.dtype !== 'float32' || x!.dtype !== 'float32' || higherOrder()) return undefined;
  return { x: () => tf.engine().runKernel(STRATA_RELU_GRAD, { dy, x: x! }) as tf.Tensor };
};

/** Sigmoid's gradient `dy * y * (1 - y)` as one kernel of dy and the output y. */
export const sigmoidGradViaKernel: GradientOverride = (dy, [y]) => {
  if (dy.dtype !== 'float32' || y!.dtype !== 'float32' || higherOrder()) return undefined;
  return { x: () => tf.engine().runKernel(STRATA_SIGMOID_GRAD, { y: y!, dy }) as tf.Tensor };
};
