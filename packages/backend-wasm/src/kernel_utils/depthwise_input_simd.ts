import type { backend_util } from '@tensorflow/tfjs-core';
import type { SimdKernels } from './simd_kernels.js';

/**
 * The depthwise input gradient (channel multiplier 1) with the SIMD row kernel: for each output
 * row and filter tap, one call adds dy·w to the input row positions that tap read, four channels
 * per f32x4 lane group. Does the work of the forward pass, where the dilated-dy convolution does
 * stride² times more. `dx` must be zero-filled; all three arrays are views of the wasm heap.
 */
export function depthwiseInputGradientSimd(
  kernels: SimdKernels,
  dy: Float32Array,
  w: Float32Array,
  info: backend_util.Conv2DInfo,
  dx: Float32Array,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const blocks = channels >> 2;
  const vectorised = blocks * 4;
  const dxStep = 4 * strideWidth * channels;
  const dyStep = 4 * channels;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const dyRow = ((b * outHeight + oh) * outWidth) * channels;
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - padTop;
        if (ih < 0 || ih >= inHeight) continue;
        const dxRow = ((b * inHeight + ih) * inWidth) * channels;
        for (let kw = 0; kw < filterWidth; kw++) {
          const shift = kw * dilationWidth - padLeft;
          const start = Math.min(outWidth, Math.max(0, Math.ceil(-shift / strideWidth)));
          const end = Math.max(start, Math.min(outWidth, Math.floor((inWidth - 1 - shift) / strideWidth) + 1));
          if (end === start) continue;
          const tap = (kh * filterWidth + kw) * channels;
          const dx0 = dxRow + (start * strideWidth + shift) * channels;
          const dy0 = dyRow + start * channels;
          if (blocks > 0) {
            kernels.rowScaledAdd(dx.byteOffset + 4 * dx0, dy.byteOffset + 4 * dy0, w.byteOffset + 4 * tap, end - start, dxStep, dyStep, blocks);
          }
          for (let c = vectorised; c < channels; c++) {
            const wc = w[tap + c];
            for (let i = 0, xi = dx0 + c, di = dy0 + c; i < end - start; i++, xi += strideWidth * channels, di += channels) dx[xi] += dy[di] * wc;
          }
        }
      }
    }
  }
}
