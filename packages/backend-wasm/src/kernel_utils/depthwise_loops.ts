import type { backend_util } from '@tensorflow/tfjs-core';

/**
 * dW[kh, kw, c, m] = Σ_{b, oh, ow} x[b, ih, iw, c] · dy[b, oh, ow, c·M + m], accumulated in
 * float64. The fallback where the SIMD row kernel cannot run (channel multiplier > 1, or no
 * SIMD): on EfficientNet-B0's depthwise layers it is much slower than that kernel (kernel
 * timings: see bench/README.md).
 */
export function depthwiseFilterGradientLoop(
  x: Float32Array,
  dy: Float32Array,
  info: backend_util.Conv2DInfo,
  out: Float32Array,
): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const multiplier = info.outChannels / channels;
  const depth = channels * multiplier;
  const acc = new Float64Array(filterHeight * filterWidth * depth);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const dyRow = ((b * outHeight + oh) * outWidth) * depth;
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - padTop;
        if (ih < 0 || ih >= inHeight) continue;
        const xRow = ((b * inHeight + ih) * inWidth) * channels;
        for (let kw = 0; kw < filterWidth; kw++) {
          const tap = (kh * filterWidth + kw) * depth;
          const shift = kw * dilationWidth - padLeft;
          for (let ow = 0; ow < outWidth; ow++) {
            const iw = ow * strideWidth + shift;
            if (iw < 0 || iw >= inWidth) continue;
            const xo = xRow + iw * channels;
            const dyo = dyRow + ow * depth;
            if (multiplier === 1) {
              for (let c = 0; c < channels; c++) acc[tap + c] += x[xo + c] * dy[dyo + c];
            } else {
              for (let c = 0; c < channels; c++) {
                const xv = x[xo + c];
                const base = c * multiplier;
                for (let m = 0; m < multiplier; m++) acc[tap + base + m] += xv * dy[dyo + base + m];
              }
            }
          }
        }
      }
    }
  }
  out.set(acc);
}

/**
 * dx[b, ih, iw, c] = Σ dy[b, oh, ow, c·M + m] · W[kh, kw, c, m] over the taps that reach (ih, iw).
 * Only used where no stride-1 convolution expresses the gradient (padding wider than the
 * filter's reach); `out` must be zero-filled.
 */
export function depthwiseInputGradientLoop(dy: Float32Array, w: Float32Array, info: backend_util.Conv2DInfo, out: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const multiplier = info.outChannels / channels;
  const depth = channels * multiplier;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - padTop;
        if (ih < 0 || ih >= inHeight) continue;
        for (let ow = 0; ow < outWidth; ow++) {
          const dyo = ((b * outHeight + oh) * outWidth + ow) * depth;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw * dilationWidth - padLeft;
            if (iw < 0 || iw >= inWidth) continue;
            const xo = ((b * inHeight + ih) * inWidth + iw) * channels;
            const tap = (kh * filterWidth + kw) * depth;
            for (let c = 0; c < channels; c++) {
              let s = 0;
              for (let m = 0; m < multiplier; m++) s += dy[dyo + c * multiplier + m] * w[tap + c * multiplier + m];
              out[xo + c] += s;
            }
          }
        }
      }
    }
  }
}
