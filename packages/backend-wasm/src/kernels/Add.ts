import { Add, util } from '@tensorflow/tfjs-core';
import type { BinaryInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runNative, setupNative } from '../kernel_utils/native_kernels.js';
import { simdKernels } from '../kernel_utils/simd_kernels.js';
import { f32 } from '../kernel_utils/wasm_heap.js';

/**
 * Replaces tfjs-wasm's Add for a bias: float32 x [..., C] plus b [C] with C a multiple of 4.
 * Every convolution with a bias adds one in training, where tfjs does not fuse it with a relu,
 * and tfjs-wasm's general broadcasting loop is slow for it; one SIMD sweep over the channels
 * reads x once with b in L1 (timings: see bench/README.md). Every other add goes to tfjs-wasm's
 * kernel.
 */
function add(args: { inputs: BinaryInputs; backend: BackendWasm }): TensorInfo {
  const { backend } = args;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const pair = isBias(a, b) ? { x: a, bias: b } : isBias(b, a) ? { x: b, bias: a } : undefined;
  const kernels = pair ? simdKernels(backend) : null;
  if (!pair || !kernels) return runNative(Add, args);
  const { x, bias } = pair;
  const out = backend.makeOutput(x.shape, 'float32');
  const width = bias.shape[0]!;
  const [xs, bs, outs] = [f32(backend, x), f32(backend, bias), f32(backend, out)];
  kernels.rowBiasAdd(outs.byteOffset, xs.byteOffset, bs.byteOffset, xs.length / width, width / 4);
  return out;
}

/** Whether b is a bias for x: both float32, b of shape [C], x of rank 2 or more ending in C, C % 4 = 0. */
function isBias(x: TensorInfo, b: TensorInfo): boolean {
  const c = b.shape[0];
  return x.dtype === 'float32' && b.dtype === 'float32' && b.shape.length === 1 && x.shape.length >= 2 &&
    c !== undefined && c > 0 && c % 4 === 0 && x.shape[x.shape.length - 1] === c && util.sizeFromShape(x.shape) > 0;
}

export const addConfig: KernelConfig = {
  kernelName: Add,
  backendName: 'wasm',
  kernelFunc: add as unknown as KernelFunc,
  setupFunc: setupNative(Add),
};
