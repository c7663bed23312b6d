/** The geometry of a 2-D convolution over NHWC data, as `backend_util.computeConv2DInfo` gives it. */
export interface ConvGeometry {
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * Writes the transposed im2col matrix of `batches` images of `x` (NHWC, starting at image
 * `firstBatch`) into `cols`: row (kh, kw, ci) holds, for every output position (b, oh, ow), the
 * input value that filter tap meets there, or 0 in the padding. Shape
 * [filterHeight * filterWidth * inChannels, batches * outHeight * outWidth].
 *
 * Transposed because XNNPACK's matmul is fast only without transposes (tfjs-wasm's
 * `transposeA` path is much slower), so dW = cols · dy needs no transpose at all.
 * Loop order (b, oh, kh, kw, ci, ow): the input row being read stays in L1 while each inner
 * loop writes `outWidth` contiguous values.
 */
export function im2colTransposed(x: Float32Array, g: ConvGeometry, firstBatch: number, batches: number, cols: Float32Array): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft } = g;
  const positions = batches * outHeight * outWidth;
  const xRow = inWidth * inChannels;
  const xImage = inHeight * xRow;
  const colStep = strideWidth * inChannels;
  // For each kw, the range of ow whose input column lies inside the image.
  const owStart = new Int32Array(filterWidth);
  const owEnd = new Int32Array(filterWidth);
  for (let kw = 0; kw < filterWidth; kw++) {
    const shift = kw * dilationWidth - padLeft;
    owStart[kw] = Math.min(outWidth, Math.max(0, Math.ceil(-shift / strideWidth)));
    owEnd[kw] = Math.max(owStart[kw], Math.min(outWidth, Math.floor((inWidth - 1 - shift) / strideWidth) + 1));
  }
  for (let b = 0; b < batches; b++) {
    const xBatch = (firstBatch + b) * xImage;
    for (let oh = 0; oh < outHeight; oh++) {
      const position = (b * outHeight + oh) * outWidth;
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - padTop;
        const inside = ih >= 0 && ih < inHeight;
        for (let kw = 0; kw < filterWidth; kw++) {
          const start = owStart[kw];
          const end = owEnd[kw];
          const iw0 = kw * dilationWidth - padLeft;
          const tap = (kh * filterWidth + kw) * inChannels;
          for (let ci = 0; ci < inChannels; ci++) {
            const row = (tap + ci) * positions + position;
            if (!inside) {
              cols.fill(0, row, row + outWidth);
              continue;
            }
            for (let ow = 0; ow < start; ow++) cols[row + ow] = 0;
            let src = xBatch + ih * xRow + (start * strideWidth + iw0) * inChannels + ci;
            for (let ow = start; ow < end; ow++, src += colStep) cols[row + ow] = x[src];
            for (let ow = end; ow < outWidth; ow++) cols[row + ow] = 0;
          }
        }
      }
    }
  }
}
