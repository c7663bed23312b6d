import { Tile, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs, TileInputs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runNative, setupNative } from '../kernel_utils/native_kernels.js';

/**
 * Replaces tfjs-wasm's Tile (an element-by-element C++ loop) with block copies. Batch norm's
 * gradient tiles each per-channel statistic to the activation's full shape, several times per
 * layer, so on EfficientNet-B0 that element-by-element loop is the most expensive kernel of a
 * training step (see bench/README.md). Here each input row is placed once, then every
 * dimension, innermost first, is grown by copying its finished block onto itself, doubling
 * (memmove in the wasm heap).
 */
function tile(args: { inputs: TileInputs; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const reps = attrs.reps;
  if (x.dtype === 'string' || x.shape.length === 0 || reps.length !== x.shape.length) return runNative(Tile, args);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  tileInto(src, x.shape, reps, dst);
  return out;
}

/** Writes `src` (shape `shape`) tiled by `reps` into `dst`, row-major. */
export function tileInto<T extends Float32Array | Int32Array | Uint8Array>(src: T, shape: readonly number[], reps: readonly number[], dst: T): void {
  const rank = shape.length;
  const outShape = shape.map((d, i) => d * reps[i]);
  // block[d]: elements of one index at dimension d-1 in the output, i.e. Π outShape[d..].
  const block = new Array<number>(rank + 1).fill(1);
  for (let d = rank - 1; d >= 0; d--) block[d] = block[d + 1] * outShape[d];
  const rows = util.sizeFromShape(shape.slice(0, rank - 1));
  const rowLength = shape[rank - 1];
  // Place each input row at its tile-0 position, then repeat it along the innermost dimension.
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  for (let r = 0; r < rows; r++) {
    let at = 0;
    for (let d = 0; d < rank - 1; d++) at += index[d] * block[d + 1];
    dst.set(src.subarray(r * rowLength, (r + 1) * rowLength), at);
    grow(dst, at, rowLength, reps[rank - 1]);
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  // Outer dimensions, innermost first: for every tile-0 prefix, repeat the finished part.
  for (let d = rank - 2; d >= 0; d--) {
    const prefixes = util.sizeFromShape(shape.slice(0, d));
    const prefixIndex = new Array<number>(d).fill(0);
    for (let p = 0; p < prefixes; p++) {
      let at = 0;
      for (let k = 0; k < d; k++) at += prefixIndex[k] * block[k + 1];
      grow(dst, at, shape[d] * block[d + 1], reps[d]);
      for (let k = d - 1; k >= 0; k--) {
        if (++prefixIndex[k] < shape[k]) break;
        prefixIndex[k] = 0;
      }
    }
  }
}

/** dst[at, at + length·times) = `times` copies of dst[at, at + length), by doubling. */
function grow(dst: Float32Array | Int32Array | Uint8Array, at: number, length: number, times: number): void {
  let filled = length;
  const total = length * times;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    dst.copyWithin(at + filled, at, at + n);
    filled += n;
  }
}

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tile as unknown as KernelFunc,
  setupFunc: setupNative(Tile),
};
