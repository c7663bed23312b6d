import { slice_util } from '@tensorflow/tfjs-core';
import { i64s } from '../hlo/hlo-builder.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Slice by attrs.begin and attrs.size (a -1 size runs to the end), parsed as tfjs does. */
export const lowering: KernelLowering = {
  kernelName: 'Slice',
  inputs: ['x'],
  infer: ([x], attrs) => {
    const [begin, size] = slice_util.parseSliceParams(x as never, attrs.begin as number[], attrs.size as number[]);
    // tfjs-backend-cpu's bounds check and message.
    slice_util.assertParamsValid(x as never, begin, size);
    return [{ shape: size, dtype: x!.dtype }];
  },
  lower: (b, [x], attrs, [out]) => {
    const [begin, size] = slice_util.parseSliceParams({ shape: x!.type.shape } as never, attrs.begin as number[], attrs.size as number[]);
    const limit = begin.map((s, i) => s + size[i]);
    return [
      b.op(
        'stablehlo.slice',
        [x!],
        { shape: out.shape, elem: x!.type.elem },
        `limit_indices = ${i64s(limit)}, start_indices = ${i64s(begin)}, strides = ${i64s(begin.map(() => 1))}`,
      ),
    ];
  },
};
