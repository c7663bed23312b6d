import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, Conv2DBackpropInputInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertChannelsLast, geometryOf } from '../kernel_utils/conv_geometry.js';
import { planTransposedConv } from '../kernel_utils/transposed_conv_plan.js';
import { f32, release, runWasmKernel, view, zeros } from '../kernel_utils/wasm_heap.js';
import { col2im } from '../kernel_utils/col2im.js';
import { simdKernels } from '../kernel_utils/simd_kernels.js';
import { transpose } from '../kernel_utils/transpose.js';
import { im2colLimitFloats } from './Conv2DBackpropFilter.js';
import { runNative, setupNative } from '../kernel_utils/native_kernels.js';

/**
 * Replaces tfjs-wasm's kernel, a direct C++ loop several times slower than the forward
 * convolution (see bench/README.md). Stride 1: an XNNPACK convolution of dy with the filter
 * flipped in space and its in/out channels swapped. Strided: dy · Wᵀ and col2im (`byCol2im`).
 */
function conv2DBackpropInput(args: { inputs: Conv2DBackpropInputInputs; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  assertChannelsLast(Conv2DBackpropInput, dataFormat);
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const plan = planTransposedConv({
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    effectiveFilterHeight: info.filterHeight,
    effectiveFilterWidth: info.filterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  });
  // A dy whose size disagrees with inputShape (tfjs's conv2dTranspose accepts that and reads the
  // top-left part of dy) and, at stride 1, padding wider than the filter's reach (no stride-1
  // convolution expresses it): tfjs-wasm's loop has those semantics.
  const consistent = dy.shape[1] === info.outHeight && dy.shape[2] === info.outWidth;
  if (!consistent) return runNative(Conv2DBackpropInput, args);
  if (info.strideHeight > 1 || info.strideWidth > 1) return byCol2im(backend, dy, filter, info);
  if (plan === undefined) return runNative(Conv2DBackpropInput, args);

  const { filterHeight: kh, filterWidth: kw, inChannels, outChannels } = info;
  // flipped[i, j, co, ci] = filter[kh-1-i, kw-1-j, ci, co]
  const flipped = backend.makeOutput([kh, kw, outChannels, inChannels], 'float32');
  const w = f32(backend, filter);
  const fw = f32(backend, flipped);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * inChannels * outChannels;
      const dst = (i * kw + j) * outChannels * inChannels;
      for (let ci = 0; ci < inChannels; ci++) {
        for (let co = 0; co < outChannels; co++) fw[dst + co * inChannels + ci] = w[src + ci * outChannels + co];
      }
    }
  }
  const dx = runWasmKernel('Conv2D', { x: dy, filter: flipped },
    { strides: [1, 1], pad: plan.pad, dataFormat: 'NHWC', dilations: [1, 1] }, backend);
  release(backend, flipped);
  return dx;
}

/**
 * Strided: cols = dy · Wᵀ (one XNNPACK matmul, [positions, co] x [co, kh·kw·ci]), then col2im
 * adds each row's taps into dx. Does the forward pass's work, where a convolution of the
 * zero-dilated dy does stride² times more (and XNNPACK's convolution is slow with the few output
 * channels of a stem's input gradient, slower than the stem's forward pass). Images go in chunks
 * so cols stays under the im2col limit.
 */
function byCol2im(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const g = geometryOf(info);
  const { inChannels, outChannels, batchSize } = info;
  const taps = g.filterHeight * g.filterWidth * inChannels;
  const perImage = g.outHeight * g.outWidth;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(im2colLimitFloats() / Math.max(1, taps * perImage))));
  const wT = backend.makeOutput([1, outChannels, taps], 'float32');
  const ones = backend.makeOutput([Math.max(4, inChannels)], 'float32');
  const dx = zeros(backend, info.inShape);
  transpose(f32(backend, filter), taps, outChannels, f32(backend, wT));
  f32(backend, ones).fill(1);
  const kernels = simdKernels(backend);
  for (let first = 0; first < batchSize; first += chunk) {
    const batches = Math.min(chunk, batchSize - first);
    const rows = batches * perImage;
    let dyPart = view(dy, [1, rows, outChannels]);
    if (batches !== batchSize) {
      dyPart = backend.makeOutput([1, rows, outChannels], 'float32');
      f32(backend, dyPart).set(f32(backend, dy).subarray(first * perImage * outChannels, (first + batches) * perImage * outChannels));
    }
    const cols = runWasmKernel('BatchMatMul', { a: dyPart, b: wT }, { transposeA: false, transposeB: false }, backend);
    col2im(kernels, f32(backend, cols), g, first, batches, f32(backend, ones), f32(backend, dx));
    release(backend, cols);
    if (dyPart.dataId !== dy.dataId) release(backend, dyPart);
  }
  release(backend, wT, ones);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
  setupFunc: setupNative(Conv2DBackpropInput),
};
