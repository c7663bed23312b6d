import { i64s } from '../hlo/hlo-builder.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Unpack (tf.unstack): one output per index along attrs.axis. */
export const lowering: KernelLowering = {
  kernelName: 'Unpack',
  inputs: ['value'],
  multiOutput: true,
  infer: ([x], attrs) => {
    const axis = ((attrs.axis as number) + x!.shape.length) % x!.shape.length;
    const shape = x!.shape.filter((_, i) => i !== axis);
    return Array.from({ length: x!.shape[axis] }, () => ({ shape: [...shape], dtype: x!.dtype }));
  },
  lower: (b, [x], attrs, outs) => {
    const shape = x!.type.shape;
    const axis = ((attrs.axis as number) + shape.length) % shape.length;
    return outs.map((out, k) => {
      const start = shape.map((_, i) => (i === axis ? k : 0));
      const limit = shape.map((d, i) => (i === axis ? k + 1 : d));
      const sliced = b.op(
        'stablehlo.slice',
        [x!],
        { shape: limit.map((l, i) => l - start[i]), elem: x!.type.elem },
        `limit_indices = ${i64s(limit)}, start_indices = ${i64s(start)}, strides = ${i64s(shape.map(() => 1))}`,
      );
      return b.reshape(sliced, out.shape);
    });
  },
};
