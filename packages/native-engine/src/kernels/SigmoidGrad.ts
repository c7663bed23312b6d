import { STRATA_SIGMOID_GRAD, overrideGradient, sigmoidGradViaKernel } from '@strata/core';
import { NATIVE_BACKEND_NAME } from './native-backend.js';
import { singleFloatOpKernel, type NativeKernelConfig } from './register-native-kernel.js';

export { STRATA_SIGMOID_GRAD };

/**
 * dy * y * (1 - y) in one TensorFlow op instead of tfjs's three full-size ones (Sub, Mul, Mul):
 * every swish and squeeze-excitation gate of EfficientNet goes through it.
 */
export const sigmoidGradKernel: NativeKernelConfig = singleFloatOpKernel(STRATA_SIGMOID_GRAD, 'SigmoidGrad', ['y', 'dy']);

export function registerSigmoidGradient(): void {
  overrideGradient('Sigmoid', NATIVE_BACKEND_NAME, sigmoidGradViaKernel);
}
