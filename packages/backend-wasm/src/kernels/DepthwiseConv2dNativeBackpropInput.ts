import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type {
  DepthwiseConv2dNativeBackpropInputAttrs,
  DepthwiseConv2dNativeBackpropInputInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { dilateChannels, planTransposedConv } from '../kernel_utils/transposed_conv_plan.js';
import { f32, release, runWasmKernel, zeros } from '../kernel_utils/wasm_heap.js';
import { depthwiseInputGradientLoop } from '../kernel_utils/depthwise_loops.js';
import { depthwiseInputGradientSimd } from '../kernel_utils/depthwise_input_simd.js';
import { simdKernels } from '../kernel_utils/simd_kernels.js';

/**
 * dx of a depthwise convolution. Stride 1: XNNPACK's own depthwise convolution of dy with the
 * filter flipped in space (per channel multiplier m on dy's channels c·M+m, summed over m).
 * Strided, channel multiplier 1 (EfficientNet's downsampling blocks): the SIMD row kernel, which
 * does the forward pass's work where the convolution of a zero-dilated dy does stride² times
 * more. Other strided cases: the convolution of the dilated dy.
 */
function depthwiseConv2dNativeBackpropInput(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, true);
  const { filterHeight: kh, filterWidth: kw, inChannels: channels } = info;
  const multiplier = info.outChannels / channels;
  const plan = planTransposedConv({
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    effectiveFilterHeight: info.effectiveFilterHeight,
    effectiveFilterWidth: info.effectiveFilterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  });
  const strided = info.strideHeight > 1 || info.strideWidth > 1;
  const kernels = multiplier === 1 && (strided || plan === undefined) ? simdKernels(backend) : null;
  if (kernels !== null) {
    const dx = zeros(backend, info.inShape);
    depthwiseInputGradientSimd(kernels, f32(backend, dy), f32(backend, filter), info, f32(backend, dx));
    return dx;
  }
  if (plan === undefined) {
    // Padding wider than the kernel's reach: no stride-1 convolution expresses it.
    const dx = zeros(backend, info.inShape);
    depthwiseInputGradientLoop(f32(backend, dy), f32(backend, filter), info, f32(backend, dx));
    return dx;
  }

  const direct = !strided && multiplier === 1;
  let sum: TensorInfo | undefined;
  for (let m = 0; m < multiplier; m++) {
    const flipped = backend.makeOutput([kh, kw, channels, 1], 'float32');
    const spread = direct ? dy : zeros(backend, [info.batchSize, plan.dilatedHeight, plan.dilatedWidth, channels]);
    const w = f32(backend, filter);
    const fw = f32(backend, flipped);
    // flipped[i, j, c] = filter[kh-1-i, kw-1-j, c, m]
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * channels * multiplier + m;
        const dst = (i * kw + j) * channels;
        for (let c = 0; c < channels; c++) fw[dst + c] = w[src + c * multiplier];
      }
    }
    if (!direct) {
      dilateChannels(f32(backend, dy), {
        batch: info.batchSize, outHeight: info.outHeight, outWidth: info.outWidth, channels, multiplier, m,
      }, info.strideHeight, info.strideWidth, plan.dilatedHeight, plan.dilatedWidth, f32(backend, spread));
    }
    const part = runWasmKernel('DepthwiseConv2dNative', { x: spread, filter: flipped },
      { strides: [1, 1], pad: plan.pad, dataFormat: 'NHWC', dilations: [info.dilationHeight, info.dilationWidth] }, backend);
    release(backend, flipped);
    if (!direct) release(backend, spread);
    if (sum === undefined) {
      sum = part;
    } else {
      const next = runWasmKernel('Add', { a: sum, b: part }, {}, backend);
      release(backend, sum, part);
      sum = next;
    }
  }
  return sum as TensorInfo;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
