import { STRATA_RELU_GRAD } from '@strata/core';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels } from '../kernel_utils/simd_kernels.js';
import { f32 } from '../kernel_utils/wasm_heap.js';

/**
 * Relu's gradient in one pass, `dy` where x > 0 and 0 elsewhere (0 where x is NaN, as
 * TensorFlow, jax and PyTorch), in place of tfjs's mul(dy, cast(step(x))): three kernels and two
 * temporaries the size of the activation. Registered with `overrideGradient('Relu', 'wasm', ...)`.
 * Without SIMD (or for the last few elements) a plain loop does the same.
 */
function reluGrad(args: { inputs: NamedTensorInfoMap; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const dy = args.inputs['dy']!;
  const x = args.inputs['x']!;
  const out = backend.makeOutput(x.shape, 'float32');
  const [xs, dys, outs] = [f32(backend, x), f32(backend, dy), f32(backend, out)];
  const kernels = simdKernels(backend);
  const blocks = kernels ? Math.floor(xs.length / 4) : 0;
  if (kernels && blocks > 0) kernels.reluGrad(outs.byteOffset, xs.byteOffset, dys.byteOffset, blocks);
  for (let i = blocks * 4; i < xs.length; i++) outs[i] = xs[i]! > 0 ? dys[i]! : 0;
  return out;
}

export const reluGradConfig: KernelConfig = {
  kernelName: STRATA_RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: reluGrad as unknown as KernelFunc,
};
