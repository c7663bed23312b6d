import { Cast } from '@tensorflow/tfjs-core';
import type { CastAttrs, CastInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runNative } from '../kernel_utils/native_kernels.js';
import { shareData } from './Identity.js';

/**
 * A cast to the dtype a tensor already has shares its data (tfjs's relu gradient casts step(x),
 * already float32, on every layer). A cast to bool is x != 0: tfjs-wasm's own copies the numbers
 * into bytes, so 3 stays 3 and -1 becomes 255. Every other conversion goes to tfjs-wasm's kernel.
 */
function cast(args: { inputs: CastInputs; backend: BackendWasm; attrs: CastAttrs }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const { dtype } = args.attrs;
  if (x.dtype === dtype && x.dtype !== 'string') return shareData(args);
  if (dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32')) return notZero(args.backend, x);
  return runNative(Cast, args);
}

function notZero(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const out = backend.makeOutput(x.shape, 'bool');
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  for (let i = 0; i < from.length; i++) to[i] = from[i] !== 0 ? 1 : 0;
  return out;
}

export const castConfig: KernelConfig = {
  kernelName: Cast,
  backendName: 'wasm',
  kernelFunc: cast as unknown as KernelFunc,
};
