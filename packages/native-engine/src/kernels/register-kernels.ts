import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrainingKernel } from './BatchNormTraining.js';
import { castKernel } from './Cast.js';
import { depthwiseFilterGradKernel } from './DepthwiseConv2dNativeBackpropFilter.js';
import { batchNormTrainingGradKernel, fusedBatchNormGradKernel, registerFusedBatchNormGradient } from './FusedBatchNormGrad.js';
import { NATIVE_BACKEND_NAME } from './native-backend.js';
import { registerNativeKernel, type NativeKernelConfig } from './register-native-kernel.js';
import { registerReluGradient, reluGradKernel } from './ReluGrad.js';
import { registerSigmoidGradient, sigmoidGradKernel } from './SigmoidGrad.js';

type KernelFunc = NativeKernelConfig['kernelFunc'];

/** tfjs-node's kernels that Strata's replace and fall back to, kept before the first replacement. */
const tfjsNodeKernels = new Map<string, KernelFunc>();

/** tfjs-node's own kernel `name` for the native engine, even once Strata's replaces it. */
export function tfjsNodeKernel(name: string): KernelFunc | undefined {
  if (!tfjsNodeKernels.has(name)) {
    const kernel = tf.getKernel(name, NATIVE_BACKEND_NAME)?.kernelFunc as KernelFunc | undefined;
    if (kernel) tfjsNodeKernels.set(name, kernel);
  }
  return tfjsNodeKernels.get(name);
}

/**
 * Strata's kernels for the native engine, on top of tfjs-node's (call after tfjs-node's
 * `register_all_kernels`): TensorFlow's fused gradient ops where tfjs composes many full-size
 * ops (batch norm, sigmoid, relu), Strata's training batch norm as one op (forward and
 * backward), no op for a cast to the same dtype, and a depthwise filter gradient as a forward
 * convolution where TensorFlow's own kernel is slow. (Mean and Sum gradients without
 * JavaScript-built `ones` are @strata/core's, for every backend.) Gradients are registered for
 * every backend, so each runs tfjs's own gradient unless the native engine is the active
 * backend. Idempotent.
 */
export function registerNativeKernels(): void {
  const nodeCast = tfjsNodeKernel('Cast');
  if (nodeCast) registerNativeKernel(castKernel(nodeCast));
  const nodeDepthwiseFilterGrad = tfjsNodeKernel(tf.DepthwiseConv2dNativeBackpropFilter);
  if (nodeDepthwiseFilterGrad) registerNativeKernel(depthwiseFilterGradKernel(nodeDepthwiseFilterGrad));
  for (const kernel of [reluGradKernel, sigmoidGradKernel, fusedBatchNormGradKernel, batchNormTrainingKernel, batchNormTrainingGradKernel]) registerNativeKernel(kernel);
  registerReluGradient();
  registerSigmoidGradient();
  registerFusedBatchNormGradient();
}
