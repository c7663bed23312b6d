import { Sum } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SumAttrs, SumInputs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { axisRun, sumAxisRun } from '../kernel_utils/axis_sums.js';
import { runNative, setupNative } from '../kernel_utils/native_kernels.js';

/**
 * Replaces tfjs-wasm's Sum for float32 sums over a run of axes before the last (a bias
 * gradient: dy [N, H, W, C] over N, H, W), which tfjs-wasm does by transposing the whole tensor
 * first. SIMD column sums read x once, in place; a matmul ones·x would not help, as XNNPACK
 * packs x as weights on every call. Every other sum goes to tfjs-wasm's kernel.
 */
function sum(args: { inputs: SumInputs; backend: BackendWasm; attrs: SumAttrs }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const run = axisRun(x, args.attrs.axis, args.attrs.keepDims);
  return run === undefined ? runNative(Sum, args) : sumAxisRun(args.backend, x, run, 1);
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as KernelFunc,
  setupFunc: setupNative(Sum),
};
