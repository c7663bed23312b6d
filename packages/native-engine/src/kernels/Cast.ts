import type { NativeKernelConfig } from './register-native-kernel.js';

/**
 * tfjs-node's Cast runs TensorFlow's Cast even to the same dtype; tfjs's `moments` (every batch
 * norm) and tfjs-node's own Mean cast float32 to float32. Same dtype: share the data, as
 * tfjs-backend-cpu does; otherwise TensorFlow's Cast, as tfjs-node does.
 */
export function castKernel(nodeCast: NativeKernelConfig['kernelFunc']): NativeKernelConfig {
  return {
    kernelName: 'Cast',
    kernelFunc: (args) => {
      const x = args.inputs.x!;
      if (args.attrs?.dtype !== x.dtype) return nodeCast(args);
      args.backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  };
}
