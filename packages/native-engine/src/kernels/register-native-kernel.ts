import * as tf from '@tensorflow/tfjs-core';
import { NATIVE_BACKEND_NAME, floatAttr, type NativeBackend } from './native-backend.js';

/** A kernel of the native backend: tfjs's `KernelConfig` with the backend typed. */
export interface NativeKernelConfig {
  readonly kernelName: string;
  readonly kernelFunc: (args: { inputs: tf.NamedTensorInfoMap; backend: NativeBackend; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];
}

/**
 * Registers `config` for the native backend, replacing tfjs-node's kernel of the same name
 * where it has one (tfjs refuses a second registration). Idempotent.
 */
export function registerNativeKernel(config: NativeKernelConfig): void {
  if (tf.getKernel(config.kernelName, NATIVE_BACKEND_NAME)) tf.unregisterKernel(config.kernelName, NATIVE_BACKEND_NAME);
  tf.registerKernel({ kernelName: config.kernelName, backendName: NATIVE_BACKEND_NAME, kernelFunc: config.kernelFunc as tf.KernelFunc });
}

/**
 * A kernel that is one float TensorFlow op on the named inputs, in TensorFlow's argument order
 * (the fused activation gradients, which tfjs has no kernel for).
 */
export function singleFloatOpKernel(kernelName: string, tfOp: string, inputOrder: readonly string[]): NativeKernelConfig {
  return {
    kernelName,
    kernelFunc: ({ inputs, backend }) => backend.executeSingleOutput(tfOp, [floatAttr(backend)], inputOrder.map((name) => inputs[name]!)),
  };
}
