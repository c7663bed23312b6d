import * as tf from '@tensorflow/tfjs-core';
import { castKernel } from './Cast.js';
import { fusedBatchNormGradKernel, registerFusedBatchNormGradient } from './FusedBatchNormGrad.js';
import { NATIVE_BACKEND_NAME } from './native-backend.js';
import { registerNativeKernel, type NativeKernelConfig } from './register-native-kernel.js';
import { registerReluGradient, reluGradKernel } from './ReluGrad.js';
import { registerSigmoidGradient, sigmoidGradKernel } from './SigmoidGrad.js';

let nodeCast: NativeKernelConfig['kernelFunc'] | undefined;

/**
 * Strata's kernels for the native engine, on top of tfjs-node's (call after tfjs-node's
 * `register_all_kernels`): TensorFlow's fused gradient ops where tfjs composes many full-size
 * ops (batch norm, sigmoid, relu), and no op for a cast to the same dtype. (Mean and Sum
 * gradients without JavaScript-built `ones` are @strata/core's, for every backend.) Gradients are registered for every backend, so each
 * runs tfjs's own gradient unless the native engine is the active backend. Idempotent.
 */
export function registerNativeKernels(): void {
  nodeCast ??= tf.getKernel('Cast', NATIVE_BACKEND_NAME)?.kernelFunc as NativeKernelConfig['kernelFunc'] | undefined;
  if (nodeCast) registerNativeKernel(castKernel(nodeCast));
  for (const kernel of [reluGradKernel, sigmoidGradKernel, fusedBatchNormGradKernel]) registerNativeKernel(kernel);
  registerReluGradient();
  registerSigmoidGradient();
  registerFusedBatchNormGradient();
}
