import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { SimdKernels } from './simd_kernels.js';
import { f32, release, zeros } from './wasm_heap.js';

/**
 * The depthwise filter gradient (channel multiplier 1) with the SIMD row kernel: for each output
 * row and filter tap, one call adds Σ_ow x·dy over the valid output columns, four channels per
 * f32x4 lane group, reading x and dy where they lie on the wasm heap. Partial sums are f32 within
 * one image and float64 across images. Channels past the last multiple of 4 take a JS loop.
 */
export function depthwiseFilterGradientSimd(
  backend: BackendWasm,
  kernels: SimdKernels,
  xInfo: TensorInfo,
  dyInfo: TensorInfo,
  info: backend_util.Conv2DInfo,
  out: Float32Array,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const taps = filterHeight * filterWidth;
  const blocks = channels >> 2;
  const vectorised = blocks * 4;
  const accInfo = zeros(backend, [taps * channels]);
  const total = new Float64Array(taps * channels);
  const x = f32(backend, xInfo);
  const dy = f32(backend, dyInfo);
  const acc = f32(backend, accInfo);
  const xBase = x.byteOffset;
  const dyBase = dy.byteOffset;
  const accBase = acc.byteOffset;
  const xStep = 4 * strideWidth * channels;
  const dyStep = 4 * channels;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const dyRow = ((b * outHeight + oh) * outWidth) * channels;
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - padTop;
        if (ih < 0 || ih >= inHeight) continue;
        const xRow = ((b * inHeight + ih) * inWidth) * channels;
        for (let kw = 0; kw < filterWidth; kw++) {
          const shift = kw * dilationWidth - padLeft;
          const start = Math.min(outWidth, Math.max(0, Math.ceil(-shift / strideWidth)));
          const end = Math.max(start, Math.min(outWidth, Math.floor((inWidth - 1 - shift) / strideWidth) + 1));
          if (end === start) continue;
          const tap = (kh * filterWidth + kw) * channels;
          const x0 = xRow + (start * strideWidth + shift) * channels;
          const dy0 = dyRow + start * channels;
          if (blocks > 0) kernels.rowProducts(accBase + 4 * tap, xBase + 4 * x0, dyBase + 4 * dy0, end - start, xStep, dyStep, blocks);
          for (let c = vectorised; c < channels; c++) {
            let s = 0;
            for (let i = 0, xi = x0 + c, di = dy0 + c; i < end - start; i++, xi += strideWidth * channels, di += channels) s += x[xi] * dy[di];
            total[tap + c] += s;
          }
        }
      }
    }
    for (let i = 0; i < total.length; i++) total[i] += acc[i];
    acc.fill(0);
  }
  release(backend, accInfo);
  out.set(total);
}
