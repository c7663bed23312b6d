import { backend_util, util } from '@tensorflow/tfjs-core';
import { i64s } from '../hlo/hlo-builder.js';
import type { KernelLowering } from './kernel-lowering.js';

function sizes(shape: number[], attrs: Record<string, unknown>): [number, number[]] {
  const [axis] = util.parseAxisParam(attrs.axis as number, shape);
  const split = backend_util.prepareSplitSize({ shape } as never, attrs.numOrSizeSplits as number | number[], axis);
  return [axis, split];
}

/** SplitV (tf.split): one output per piece along attrs.axis. */
export const lowering: KernelLowering = {
  kernelName: 'SplitV',
  inputs: ['x'],
  multiOutput: true,
  infer: ([x], attrs) => {
    const [axis, split] = sizes(x!.shape, attrs);
    return split.map((n) => ({ shape: x!.shape.map((d, i) => (i === axis ? n : d)), dtype: x!.dtype }));
  },
  lower: (b, [x], attrs, outs) => {
    const shape = x!.type.shape as number[];
    const [axis] = sizes(shape, attrs);
    let offset = 0;
    return outs.map((out) => {
      const start = shape.map((_, i) => (i === axis ? offset : 0));
      const limit = shape.map((d, i) => (i === axis ? offset + out.shape[axis] : d));
      offset += out.shape[axis];
      return b.op(
        'stablehlo.slice',
        [x!],
        { shape: out.shape, elem: x!.type.elem },
        `limit_indices = ${i64s(limit)}, start_indices = ${i64s(start)}, strides = ${i64s(shape.map(() => 1))}`,
      );
    });
  },
};
