import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropFilterInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertChannelsLast, geometryOf } from '../kernel_utils/conv_geometry.js';
import { im2colTransposed, type ConvGeometry } from '../kernel_utils/im2col_transposed.js';
import { dyToGrid, gridColumns, paddedGrid, transposeToGrid } from '../kernel_utils/im2col_padded_grid.js';
import { transpose } from '../kernel_utils/transpose.js';
import { f32, release, runWasmKernel, view } from '../kernel_utils/wasm_heap.js';

/**
 * Most floats one im2col buffer may hold; larger batches go in chunks of images. The default,
 * 2^18 (1 MiB), keeps a chunk in L2 while the matmul reads it, where one buffer for the whole
 * batch (64 MiB on the tiny CNN) would be read from main memory (see bench/README.md).
 */
let im2colLimit = 1 << 18;

/** The current im2col limit in floats (Conv2DBackpropInput's col2im buffers share it). */
export function im2colLimitFloats(): number {
  return im2colLimit;
}

/**
 * Sets the im2col buffer limit in floats and returns the previous one. A smaller limit bounds
 * heap use on large batches at the cost of more, smaller matmuls.
 *
 * @example
 * const previous = setIm2colLimit(1 << 16); // at most 256 KiB per buffer
 */
export function setIm2colLimit(floats: number): number {
  const previous = im2colLimit;
  im2colLimit = Math.max(1, Math.floor(floats));
  return previous;
}

/**
 * dW = im2col(x)ᵀ · dy: the transposed im2col matrix [kh·kw·ci, positions] built on the wasm
 * heap, then one XNNPACK matmul with dy [positions, co]. Stride 1 on images large enough builds
 * it by shifting rows of a channel-major copy of x (memmoves, see `im2col_padded_grid.ts`);
 * otherwise it is gathered. A 1x1
 * stride-1 convolution with fewer output than input channels computes dWᵀ = dyᵀ · x instead, so
 * the smaller operand is the one transposed. Batches whose im2col would pass the limit go in
 * chunks of images.
 */
function conv2DBackpropFilter(args: { inputs: Conv2DBackpropFilterInputs; backend: BackendWasm; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  assertChannelsLast(Conv2DBackpropFilter, dataFormat);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const g = geometryOf(info);
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const outChannels = info.outChannels;
  const batchSize = info.batchSize;
  const strideOne = g.strideHeight === 1 && g.strideWidth === 1;
  const pointwise = strideOne && taps === g.inChannels && g.padTop === 0 && g.padLeft === 0 &&
    g.outHeight === g.inHeight && g.outWidth === g.inWidth;
  if (pointwise && outChannels < g.inChannels) return pointwiseByDyTranspose(backend, x, dy, info.batchSize * g.outHeight * g.outWidth, g.inChannels, outChannels, filterShape);

  // The grid's extra positions lengthen the matmul; past 20% more (small images: 16x16 with a
  // 3x3 filter is 27% more) the gather costs less than they do (a threshold chosen on the tiny
  // CNN's layers; see bench/README.md).
  const shifted = strideOne && paddedGrid(g, 1).positions <= 1.2 * g.outHeight * g.outWidth;
  const perImage = shifted ? paddedGrid(g, 1).positions : g.outHeight * g.outWidth;
  const chunk = Math.max(1, Math.min(batchSize, Math.floor(im2colLimit / Math.max(1, taps * perImage))));
  const parts: TensorInfo[] = [];
  for (let first = 0; first < batchSize; first += chunk) {
    const batches = Math.min(chunk, batchSize - first);
    parts.push(shifted ? shiftedChunk(backend, x, dy, g, outChannels, first, batches, batchSize) : gatheredChunk(backend, x, dy, g, outChannels, first, batches, batchSize));
  }
  if (parts.length === 1) return view(parts[0], filterShape);
  // Partial filter gradients of the chunks, summed in float64.
  const sum = new Float64Array(taps * outChannels);
  for (const part of parts) {
    const values = f32(backend, part);
    for (let i = 0; i < sum.length; i++) sum[i] += values[i];
  }
  release(backend, ...parts);
  const out = backend.makeOutput(filterShape, 'float32');
  f32(backend, out).set(sum);
  return out;
}

/** dy's rows of images [first, first + batches) as a tensor of their own (a matmul operand is a whole tensor). */
function dyRows(backend: BackendWasm, dy: TensorInfo, first: number, batches: number, batchSize: number, rowsPerImage: number, outChannels: number): TensorInfo {
  if (batches === batchSize) return view(dy, [1, batches * rowsPerImage, outChannels]);
  const part = backend.makeOutput([1, batches * rowsPerImage, outChannels], 'float32');
  const start = first * rowsPerImage * outChannels;
  f32(backend, part).set(f32(backend, dy).subarray(start, start + batches * rowsPerImage * outChannels));
  return part;
}

/** One chunk's [taps, co] gradient with the gathered im2col (any stride). */
function gatheredChunk(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, outChannels: number, first: number, batches: number, batchSize: number): TensorInfo {
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const positions = batches * g.outHeight * g.outWidth;
  const cols = backend.makeOutput([1, taps, positions], 'float32');
  const dyPart = dyRows(backend, dy, first, batches, batchSize, g.outHeight * g.outWidth, outChannels);
  im2colTransposed(f32(backend, x), g, first, batches, f32(backend, cols));
  const out = runWasmKernel('BatchMatMul', { a: cols, b: dyPart }, { transposeA: false, transposeB: false }, backend);
  release(backend, cols);
  if (dyPart.dataId !== dy.dataId) release(backend, dyPart);
  return out;
}

/** One chunk's [taps, co] gradient with the shifted im2col (stride 1). */
function shiftedChunk(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeometry, outChannels: number, first: number, batches: number, batchSize: number): TensorInfo {
  const grid = paddedGrid(g, batches);
  const taps = g.filterHeight * g.filterWidth;
  const onOutput = grid.gridHeight === g.outHeight && grid.gridWidth === g.outWidth;
  const xT = backend.makeOutput([g.inChannels * grid.rowLength], 'float32');
  // A 1x1 filter's im2col is xT itself.
  const cols = taps === 1 && grid.rowLength === grid.positions ? view(xT, [1, g.inChannels, grid.positions])
    : backend.makeOutput([1, taps * g.inChannels, grid.positions], 'float32');
  const dyGrid = onOutput ? dyRows(backend, dy, first, batches, batchSize, g.outHeight * g.outWidth, outChannels)
    : backend.makeOutput([1, grid.positions, outChannels], 'float32');
  transposeToGrid(f32(backend, x), g, grid, first, batches, f32(backend, xT));
  if (cols.dataId !== xT.dataId) {
    // The whole heap as floats (a view of one tensor shares the heap's buffer).
    const heap = new Float32Array(f32(backend, xT).buffer);
    gridColumns(heap, backend.getMemoryOffset(xT.dataId) / 4, backend.getMemoryOffset(cols.dataId) / 4, g.inChannels, grid);
  }
  if (!onOutput) dyToGrid(f32(backend, dy), g, outChannels, grid, first, batches, f32(backend, dyGrid));
  const out = runWasmKernel('BatchMatMul', { a: cols, b: dyGrid }, { transposeA: false, transposeB: false }, backend);
  release(backend, xT);
  if (cols.dataId !== xT.dataId) release(backend, cols);
  if (dyGrid.dataId !== dy.dataId) release(backend, dyGrid);
  return out;
}

/** dW of a 1x1 stride-1 convolution as (dyᵀ · x)ᵀ: transposes dy [positions, co], the smaller operand. */
function pointwiseByDyTranspose(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, positions: number, inChannels: number, outChannels: number, filterShape: number[]): TensorInfo {
  const dyT = backend.makeOutput([1, outChannels, positions], 'float32');
  transpose(f32(backend, dy), positions, outChannels, f32(backend, dyT));
  const dWT = runWasmKernel('BatchMatMul', { a: dyT, b: view(x, [1, positions, inChannels]) }, { transposeA: false, transposeB: false }, backend);
  release(backend, dyT);
  const out = backend.makeOutput(filterShape, 'float32');
  transpose(f32(backend, dWT), outChannels, inChannels, f32(backend, out));
  release(backend, dWT);
  return out;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
