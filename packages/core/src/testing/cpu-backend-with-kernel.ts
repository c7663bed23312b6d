// Test support (not built into dist): tfjs's CPU backend under another name, with one more
// kernel, for tests of ops that run a backend's own kernel where it has one.
import * as tf from '@tensorflow/tfjs-core';

/** The CPU backend type the kernels receive. */
export type CpuBackend = InstanceType<typeof import('@tensorflow/tfjs-backend-cpu').MathBackendCPU>;

/**
 * Registers `backendName`: every kernel of tfjs's CPU backend plus `kernelName`, which
 * `kernel` computes on the CPU backend. The caller switches to it with `tf.setBackend`.
 */
export async function registerCpuBackendWith(
  backendName: string,
  kernelName: string,
  kernel: (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, backend: CpuBackend) => tf.TensorInfo,
): Promise<void> {
  const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
  tf.registerBackend(backendName, () => new MathBackendCPU());
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName });
  tf.registerKernel({ kernelName, backendName, kernelFunc: ({ inputs, attrs, backend }) => kernel(inputs, attrs ?? {}, backend as CpuBackend) });
}

/** The int32 seed a kernel was handed as its `seed` input. */
export function seedInput(inputs: tf.NamedTensorInfoMap, backend: CpuBackend): number {
  return (backend.readSync((inputs.seed as tf.TensorInfo).dataId) as Int32Array)[0]!;
}
