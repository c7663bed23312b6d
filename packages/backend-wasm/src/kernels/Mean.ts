import { Mean } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, MeanAttrs, MeanInputs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { axisRun, sumAxisRun } from '../kernel_utils/axis_sums.js';
import { runNative, setupNative } from '../kernel_utils/native_kernels.js';

/**
 * Replaces tfjs-wasm's Mean for float32 means over a run of axes before the last: batch-norm
 * statistics (NHWC over N, H, W) and global average pooling or squeeze-excitation (over H, W),
 * several per EfficientNet block, which tfjs-wasm does by transposing the whole tensor first.
 * SIMD column sums in place, then one scale. Every other mean goes to tfjs-wasm's kernel.
 */
function mean(args: { inputs: MeanInputs; backend: BackendWasm; attrs: MeanAttrs }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const run = axisRun(x, args.attrs.axis, args.attrs.keepDims);
  return run === undefined ? runNative(Mean, args) : sumAxisRun(args.backend, x, run, 1 / run.rows);
}

export const meanConfig: KernelConfig = {
  kernelName: Mean,
  backendName: 'wasm',
  kernelFunc: mean as unknown as KernelFunc,
  setupFunc: setupNative(Mean),
};
