import { Slice, SplitV, backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, SliceAttrs, SliceInputs, SplitVAttrs, SplitVInputs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runNative } from '../kernel_utils/native_kernels.js';

/**
 * A contiguous slice (a run of a flat tensor, rows of the leading axis) copied from heap to heap.
 * tfjs-wasm's Slice first reads its whole input out of the heap (`readSync` copies it), so every
 * slice costs a copy of its source: Strata's FlatAdam splits one flat update into a slice per
 * variable, so an update of 4 M values split into 213 variables would copy all 4 M values 213
 * times a step. Other slices, and strings, go to tfjs-wasm's own kernel.
 */
export function sliceFromHeap(args: { inputs: SliceInputs; backend: BackendWasm; attrs: SliceAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const [begin, size] = slice_util.parseSliceParams(x, attrs.begin, attrs.size);
  if (x.dtype === 'string' || !slice_util.isSliceContinous(x.shape, begin, size)) return runNative(Slice, args);
  const offset = slice_util.computeFlatOffset(begin, util.computeStrides(x.shape));
  const count = util.sizeFromShape(size);
  const out = backend.makeOutput(size, x.dtype);
  // Views only after the allocation: it may grow the heap, which detaches earlier views.
  if (count > 0) backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x).subarray(offset, offset + count));
  return out;
}

/** SplitV as slices along the axis, each through `sliceFromHeap` (as tfjs-wasm's does through its own). */
export function splitVFromHeap(args: { inputs: SplitVInputs; backend: BackendWasm; attrs: SplitVAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const piece = sliceFromHeap({ inputs: { x }, backend, attrs: { begin: [...begin], size } });
    begin[axis]! += s;
    return piece;
  });
}

export const sliceConfig: KernelConfig = {
  kernelName: Slice,
  backendName: 'wasm',
  kernelFunc: sliceFromHeap as unknown as KernelFunc,
};

export const splitVConfig: KernelConfig = {
  kernelName: SplitV,
  backendName: 'wasm',
  kernelFunc: splitVFromHeap as unknown as KernelFunc,
};
