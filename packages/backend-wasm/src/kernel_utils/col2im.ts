import type { ConvGeometry } from './im2col_transposed.js';
import type { SimdKernels } from './simd_kernels.js';

/**
 * dx += col2im(cols) for images [firstBatch, firstBatch + batches): cols is [positions,
 * kh·kw·ci] (one row per output position of those images, as dy · Wᵀ gives it), and each
 * row's (kh, kw) run of ci values is added to the input pixel that tap read. With the SIMD
 * kernel, one call per output row and tap adds a whole row of runs (four channels per lane
 * group, a ones vector as the scale); channels past the last multiple of 4 take a JS loop. All
 * arrays are views of the wasm heap; `ones` holds at least ci ones.
 */
export function col2im(
  kernels: SimdKernels | null,
  cols: Float32Array,
  g: ConvGeometry,
  firstBatch: number,
  batches: number,
  ones: Float32Array,
  dx: Float32Array,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft } = g;
  const taps = filterHeight * filterWidth * inChannels;
  const blocks = kernels === null ? 0 : inChannels >> 2;
  const vectorised = blocks * 4;
  const dxStep = strideWidth * inChannels;
  for (let b = 0; b < batches; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const colRow = (b * outHeight + oh) * outWidth * taps;
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - padTop;
        if (ih < 0 || ih >= inHeight) continue;
        const dxRow = ((firstBatch + b) * inHeight + ih) * inWidth * inChannels;
        for (let kw = 0; kw < filterWidth; kw++) {
          const shift = kw * dilationWidth - padLeft;
          const start = Math.min(outWidth, Math.max(0, Math.ceil(-shift / strideWidth)));
          const end = Math.max(start, Math.min(outWidth, Math.floor((inWidth - 1 - shift) / strideWidth) + 1));
          if (end === start) continue;
          const dx0 = dxRow + (start * strideWidth + shift) * inChannels;
          const col0 = colRow + start * taps + (kh * filterWidth + kw) * inChannels;
          if (blocks > 0) {
            kernels!.rowScaledAdd(dx.byteOffset + 4 * dx0, cols.byteOffset + 4 * col0, ones.byteOffset, end - start, 4 * dxStep, 4 * taps, blocks);
          }
          for (let i = 0, d = dx0, c = col0; i < end - start; i++, d += dxStep, c += taps) {
            for (let ci = vectorised; ci < inChannels; ci++) dx[d + ci] += cols[c + ci];
          }
        }
      }
    }
  }
}
