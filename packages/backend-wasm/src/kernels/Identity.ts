import { Identity } from '@tensorflow/tfjs-core';
import type { IdentityInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runNative } from '../kernel_utils/native_kernels.js';

/**
 * The same data under a second reference, as tfjs's cpu backend does, instead of tfjs-wasm's
 * copy. tfjs clones every tensor a gradient saves through Identity, so with a copying Identity
 * each training step copies its activations (the tiny CNN's largest layer: three clones of 8 MB
 * a step). Tensor
 * data is never written in place, so sharing it is safe; tfjs-wasm's Reshape already does.
 * Strings, which tfjs-wasm keeps outside the heap, go to its own kernel.
 */
export function shareData(args: { inputs: IdentityInputs; backend: BackendWasm }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return runNative(Identity, args);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: shareData as unknown as KernelFunc,
};
