import { backend_util, DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropFilterInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { depthwiseFilterGradientLoop } from '../kernel_utils/depthwise_loops.js';
import { depthwiseFilterGradientSimd } from '../kernel_utils/depthwise_filter_simd.js';
import { simdKernels } from '../kernel_utils/simd_kernels.js';
import { f32 } from '../kernel_utils/wasm_heap.js';

/**
 * dW of a depthwise convolution: one pass over x and dy where they lie on the wasm heap, with the
 * SIMD row kernel for channel multiplier 1 (EfficientNet, MobileNet), else a plain loop.
 */
function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations, pad, dimRoundingMode, true);
  const out = backend.makeOutput(filterShape, 'float32');
  const kernels = info.outChannels === info.inChannels ? simdKernels(backend) : null;
  if (kernels !== null) {
    const sums = new Float32Array(out.shape.reduce((a, b) => a * b, 1));
    depthwiseFilterGradientSimd(backend, kernels, x, dy, info, sums);
    f32(backend, out).set(sums);
  } else {
    depthwiseFilterGradientLoop(f32(backend, x), f32(backend, dy), info, f32(backend, out));
  }
  return out;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
