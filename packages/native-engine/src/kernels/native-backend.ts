import * as tf from '@tensorflow/tfjs-core';

/** The backend name tfjs-node's kernels (and these) register under. */
export const NATIVE_BACKEND_NAME = 'tensorflow';

/** An op attribute as tfjs-node's binding takes it. */
export interface NativeOpAttr {
  readonly name: string;
  readonly type: number;
  readonly value: unknown;
}

/** The part of tfjs-node's N-API binding these kernels use. */
export interface NativeBinding {
  readonly TF_FLOAT: number;
  readonly TF_ATTR_TYPE: number;
  readonly TF_ATTR_INT: number;
  readonly TF_ATTR_BOOL: number;
  readonly TF_ATTR_FLOAT: number;
  readonly TF_ATTR_STRING: number;
}

/**
 * The part of tfjs-node's `NodeJSKernelBackend` these kernels use: it runs one TensorFlow
 * eager op on tfjs tensors and wraps its outputs as tfjs tensors.
 */
export interface NativeBackend extends tf.KernelBackend {
  readonly binding: NativeBinding;
  executeSingleOutput(name: string, attrs: NativeOpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: NativeOpAttr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
}

/** The `T: float` attribute most float ops take. */
export function floatAttr(backend: NativeBackend, name = 'T'): NativeOpAttr {
  return { name, type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT };
}

/** The attributes of TensorFlow's FusedBatchNormV3 and FusedBatchNormGradV3 on NHWC float32. */
export function fusedBatchNormAttrs(backend: NativeBackend, epsilon: unknown, isTraining: boolean): NativeOpAttr[] {
  return [
    floatAttr(backend),
    floatAttr(backend, 'U'),
    { name: 'epsilon', type: backend.binding.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: backend.binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: backend.binding.TF_ATTR_BOOL, value: isTraining },
  ];
}
