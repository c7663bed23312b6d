import { backend_util, util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels, type SimdKernels } from './simd_kernels.js';
import { f32, release, zeros } from './wasm_heap.js';

/**
 * A reduction this package does itself: x seen as [outer, rows, cols] summed over rows, where
 * the reduced axes are one run that stops before the last axis. That covers the reductions of
 * convnet training: a bias gradient and batch-norm statistics (NHWC over N, H, W: outer 1) and
 * global average pooling (over H, W: outer N). tfjs-wasm transposes the whole tensor so the
 * reduced axes come last before it reduces; these read it once, in place.
 */
export interface AxisRun {
  readonly outer: number;
  readonly rows: number;
  readonly cols: number;
  /** The output's shape, keepDims applied. */
  readonly outShape: number[];
}

/** The run for `axis` over `x`, or undefined where tfjs-wasm's own kernel should do it. */
export function axisRun(x: TensorInfo, axis: number | number[], keepDims: boolean): AxisRun | undefined {
  if (x.dtype !== 'float32' || x.shape.length === 0) return undefined;
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a, i) => i > 0 && a !== axes[i - 1] + 1)) return undefined;
  const first = axes[0];
  const last = axes[axes.length - 1];
  const cols = util.sizeFromShape(x.shape.slice(last + 1));
  // Innermost reductions are already what tfjs-wasm does well (no transpose).
  if (last === x.shape.length - 1 || cols < 4) return undefined;
  const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  return {
    outer: util.sizeFromShape(x.shape.slice(0, first)),
    rows: util.sizeFromShape(x.shape.slice(first, last + 1)),
    cols,
    outShape: keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape,
  };
}

/** Σ over rows for each outer index, times `scale`, as a new float32 tensor. */
export function sumAxisRun(backend: BackendWasm, x: TensorInfo, run: AxisRun, scale: number): TensorInfo {
  const kernels = simdKernels(backend);
  const sums = new Float64Array(run.outer * run.cols);
  if (kernels !== null) {
    columnSumsSimd(backend, kernels, x, run, sums);
  } else {
    const values = f32(backend, x);
    for (let o = 0; o < run.outer; o++) {
      sums.set(columnSums(values.subarray(o * run.rows * run.cols, (o + 1) * run.rows * run.cols), run.rows, run.cols), o * run.cols);
    }
  }
  if (scale !== 1) for (let i = 0; i < sums.length; i++) sums[i] *= scale;
  const out = backend.makeOutput(run.outShape, 'float32');
  f32(backend, out).set(sums);
  return out;
}

/**
 * Σ over rows of a [rows, cols] matrix, four rows per pass (unrolled: a quarter of the loop
 * overhead and of the float64 accumulator updates).
 */
export function columnSums(x: Float32Array, rows: number, cols: number): Float64Array {
  const acc = new Float64Array(cols);
  const end = rows * cols;
  let o = 0;
  for (; o + 4 * cols <= end; o += 4 * cols) {
    for (let c = 0; c < cols; c++) acc[c] += x[o + c] + x[o + cols + c] + x[o + 2 * cols + c] + x[o + 3 * cols + c];
  }
  for (; o < end; o += cols) for (let c = 0; c < cols; c++) acc[c] += x[o + c];
  return acc;
}

/** Rows summed per SIMD call before the f32 partial sums are added into float64. */
const ROWS_PER_FLUSH = 1024;

/** Column sums with the SIMD row kernel, four columns per lane group; trailing columns in JS. */
function columnSumsSimd(backend: BackendWasm, kernels: SimdKernels, xInfo: TensorInfo, run: AxisRun, total: Float64Array): void {
  const { outer, rows, cols } = run;
  const accInfo = zeros(backend, [cols]);
  const x = f32(backend, xInfo);
  const acc = f32(backend, accInfo);
  const blocks = cols >> 2;
  for (let o = 0; o < outer; o++) {
    const base = o * rows * cols;
    for (let r0 = 0; r0 < rows; r0 += ROWS_PER_FLUSH) {
      const n = Math.min(ROWS_PER_FLUSH, rows - r0);
      kernels.rowSums(acc.byteOffset, x.byteOffset + 4 * (base + r0 * cols), n, 4 * cols, blocks);
      for (let c = 0; c < blocks * 4; c++) total[o * cols + c] += acc[c];
      acc.fill(0);
    }
    for (let c = blocks * 4; c < cols; c++) {
      let s = 0;
      for (let i = base + c; i < base + rows * cols; i += cols) s += x[i];
      total[o * cols + c] = s;
    }
  }
  release(backend, accInfo);
}
