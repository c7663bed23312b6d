import { STRATA_RELU_GRAD, overrideGradient, reluGradViaKernel } from '@strata/core';
import { NATIVE_BACKEND_NAME, floatAttr } from './native-backend.js';
import type { NativeKernelConfig } from './register-native-kernel.js';

export { STRATA_RELU_GRAD };

/**
 * dy where x > 0, else 0, in one TensorFlow op. tfjs's Relu gradient is mul(dy, step(x)), and
 * tfjs-node's Step is seven ops (IsNan, Greater, Fill, ones uploaded from JS, two Selects): a
 * quarter of the tiny CNN's step. Differs only where x is NaN (0 here, NaN in tfjs).
 */
export const reluGradKernel: NativeKernelConfig = {
  kernelName: STRATA_RELU_GRAD,
  kernelFunc: ({ inputs, backend }) => backend.executeSingleOutput('ReluGrad', [floatAttr(backend)], [inputs.dy!, inputs.x!]),
};

export function registerReluGradient(): void {
  overrideGradient('Relu', NATIVE_BACKEND_NAME, reluGradViaKernel);
}
