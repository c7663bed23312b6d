import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, MaxPoolGradInputs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32, zeros } from '../kernel_utils/wasm_heap.js';
import { setupNative } from '../kernel_utils/native_kernels.js';
import { simdKernels, type SimdKernels } from '../kernel_utils/simd_kernels.js';

/**
 * Replaces tfjs-wasm's MaxPoolGrad, several times slower than the forward pool (see
 * bench/README.md). Non-overlapping windows inside the input (the usual 2x2, stride 2) with
 * channels in fours: the SIMD row kernel, which writes every pixel of each window once.
 * Otherwise one JS pass over the windows: per output position, a running max and its position
 * for all channels at once, then dy is added at each argmax. Either way ties go to the first maximum in row-major
 * window order, as in tfjs's cpu backend.
 */
function maxPoolGrad(args: { inputs: MaxPoolGradInputs; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dyInfo = inputs.dy as TensorInfo;
  const input = inputs.input as TensorInfo;
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const kernels = tiles(info) ? simdKernels(backend) : null;
  if (kernels !== null) return maxPoolGradSimd(backend, kernels, input, dyInfo, info);
  const dxInfo = zeros(backend, input.shape);
  const x = f32(backend, input);
  const dy = f32(backend, dyInfo);
  const dx = f32(backend, dxInfo);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padLeft;
        best.fill(-Infinity);
        where.fill(-1);
        for (let fh = 0; fh < effectiveFilterHeight; fh += dilationHeight) {
          const ih = h0 + fh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < effectiveFilterWidth; fw += dilationWidth) {
            const iw = w0 + fw;
            if (iw < 0 || iw >= inWidth) continue;
            const base = ((b * inHeight + ih) * inWidth + iw) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) if (where[c] >= 0) dx[where[c]] += dy[dyBase + c];
      }
    }
  }
  return dxInfo;
}

/** True when the windows neither overlap nor leave the input, and channels come in fours. */
function tiles(info: backend_util.Conv2DInfo): boolean {
  return info.strideHeight === info.effectiveFilterHeight && info.strideWidth === info.effectiveFilterWidth &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.outHeight * info.strideHeight <= info.inHeight && info.outWidth * info.strideWidth <= info.inWidth &&
    info.inChannels % 4 === 0;
}

function maxPoolGradSimd(backend: BackendWasm, kernels: SimdKernels, input: TensorInfo, dyInfo: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight: fh, strideWidth: fw } = info;
  // Pixels past the last whole window get no gradient; all others are written by the kernel.
  const covered = outHeight * fh === inHeight && outWidth * fw === inWidth;
  const dxInfo = covered ? backend.makeOutput(input.shape, 'float32') : zeros(backend, input.shape);
  const x = f32(backend, input).byteOffset;
  const dy = f32(backend, dyInfo).byteOffset;
  const dx = f32(backend, dxInfo).byteOffset;
  const rowBytes = 4 * inWidth * channels;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const xRow = 4 * ((b * inHeight + oh * fh) * inWidth) * channels;
      const dyRow = 4 * ((b * outHeight + oh) * outWidth) * channels;
      kernels.maxPoolGradRow(dx + xRow, x + xRow, dy + dyRow, outWidth, fh, fw, rowBytes, 4 * channels, channels >> 2);
    }
  }
  return dxInfo;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
  setupFunc: setupNative(MaxPoolGrad),
};
