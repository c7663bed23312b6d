import type { ConvGeometry } from './im2col_transposed.js';

/**
 * Transposed im2col for stride-1 convolutions by shifting instead of gathering. On a padded grid
 * [batches, gridH, gridW] with gridH = outH + (kh-1)·dilationH (and so for widths), the value
 * filter tap (kh, kw) meets at grid position q is the padded input at q + kh·dH·gridW + kw·dW. So
 * with x transposed once to channel-major rows xT[ci, q], each row (kh, kw, ci) of the im2col
 * matrix is one contiguous slice of xT: a memmove, not a gather. dy is laid on the same grid
 * (zeros off the output), so out-of-output grid positions add nothing and no sum crosses a row or
 * an image.
 */
export interface PaddedGrid {
  readonly gridHeight: number;
  readonly gridWidth: number;
  /** Grid positions: batches · gridHeight · gridWidth. */
  readonly positions: number;
  /** Length of each channel row of xT: positions plus the largest tap offset. */
  readonly rowLength: number;
  readonly tapOffsets: Int32Array;
}

export function paddedGrid(g: ConvGeometry, batches: number): PaddedGrid {
  const gridHeight = g.outHeight + (g.filterHeight - 1) * g.dilationHeight;
  const gridWidth = g.outWidth + (g.filterWidth - 1) * g.dilationWidth;
  const positions = batches * gridHeight * gridWidth;
  const tapOffsets = new Int32Array(g.filterHeight * g.filterWidth);
  for (let kh = 0; kh < g.filterHeight; kh++) {
    for (let kw = 0; kw < g.filterWidth; kw++) tapOffsets[kh * g.filterWidth + kw] = kh * g.dilationHeight * gridWidth + kw * g.dilationWidth;
  }
  return { gridHeight, gridWidth, positions, rowLength: positions + tapOffsets[tapOffsets.length - 1], tapOffsets };
}

/**
 * xT[ci, (b, h, w)] = x[firstBatch + b, h - padTop, w - padLeft, ci], 0 in the padding; `xT` is
 * [inChannels, grid.rowLength] and need not be zeroed. Rows of x are read contiguously.
 */
export function transposeToGrid(x: Float32Array, g: ConvGeometry, grid: PaddedGrid, firstBatch: number, batches: number, xT: Float32Array): void {
  const { inHeight, inWidth, inChannels, padTop, padLeft } = g;
  const { gridHeight, gridWidth, rowLength, positions } = grid;
  for (let ci = 0; ci < inChannels; ci++) xT.fill(0, ci * rowLength + positions, (ci + 1) * rowLength);
  for (let b = 0; b < batches; b++) {
    for (let h = 0; h < gridHeight; h++) {
      const ih = h - padTop;
      const q0 = (b * gridHeight + h) * gridWidth;
      if (ih < 0 || ih >= inHeight) {
        for (let ci = 0; ci < inChannels; ci++) xT.fill(0, ci * rowLength + q0, ci * rowLength + q0 + gridWidth);
        continue;
      }
      const wStart = Math.min(gridWidth, padLeft);
      const wEnd = Math.min(gridWidth, padLeft + inWidth);
      for (let ci = 0; ci < inChannels; ci++) {
        const row = ci * rowLength + q0;
        xT.fill(0, row, row + wStart);
        xT.fill(0, row + wEnd, row + gridWidth);
      }
      let src = (((firstBatch + b) * inHeight + ih) * inWidth + (wStart - padLeft)) * inChannels;
      for (let w = wStart; w < wEnd; w++) {
        let dst = q0 + w;
        for (let ci = 0; ci < inChannels; ci++, dst += rowLength) xT[dst] = x[src++];
      }
    }
  }
}

/**
 * Fills the im2col rows from xT by memmove within the heap: `heap` is the whole heap as floats,
 * `xT` and `cols` are float indices into it.
 */
export function gridColumns(heap: Float32Array, xT: number, cols: number, inChannels: number, grid: PaddedGrid): void {
  const { positions, rowLength, tapOffsets } = grid;
  for (let tap = 0; tap < tapOffsets.length; tap++) {
    for (let ci = 0; ci < inChannels; ci++) {
      const from = xT + ci * rowLength + tapOffsets[tap];
      heap.copyWithin(cols + (tap * inChannels + ci) * positions, from, from + positions);
    }
  }
}

/** dy of images [firstBatch, firstBatch + batches) laid on the grid, zeros elsewhere. */
export function dyToGrid(dy: Float32Array, g: ConvGeometry, outChannels: number, grid: PaddedGrid, firstBatch: number, batches: number, out: Float32Array): void {
  const { outHeight, outWidth } = g;
  const { gridHeight, gridWidth } = grid;
  out.fill(0);
  const row = outWidth * outChannels;
  for (let b = 0; b < batches; b++) {
    for (let h = 0; h < outHeight; h++) {
      const src = ((firstBatch + b) * outHeight + h) * row;
      out.set(dy.subarray(src, src + row), ((b * gridHeight + h) * gridWidth) * outChannels);
    }
  }
}
