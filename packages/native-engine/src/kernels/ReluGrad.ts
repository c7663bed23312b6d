import { STRATA_RELU_GRAD, overrideGradient, reluGradViaKernel } from '@strata/core';
import { NATIVE_BACKEND_NAME } from './native-backend.js';
import { singleFloatOpKernel, type NativeKernelConfig } from './register-native-kernel.js';

export { STRATA_RELU_GRAD };

/**
 * dy where x > 0, else 0, in one TensorFlow op. tfjs's Relu gradient is mul(dy, step(x)), and
 * tfjs-node's Step is seven ops (IsNan, Greater, Fill, ones uploaded from JS, two Selects), all
 * full-size, on every relu layer. Differs only where x is NaN (0 here, NaN in tfjs).
 */
export const reluGradKernel: NativeKernelConfig = singleFloatOpKernel(STRATA_RELU_GRAD, 'ReluGrad', ['dy', 'x']);

export function registerReluGradient(): void {
  overrideGradient('Relu', NATIVE_BACKEND_NAME, reluGradViaKernel);
}
