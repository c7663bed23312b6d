import { util } from '@tensorflow/tfjs-core';
import type { KernelLowering } from './kernel-lowering.js';

/** Pack (tf.stack): each input gets a new size-1 axis, then they are concatenated along it. */
export const lowering: KernelLowering = {
  kernelName: 'Pack',
  inputs: null,
  infer: (ins, attrs) => {
    for (const t of ins) {
      util.assertShapesMatch(ins[0]!.shape, t!.shape, 'All tensors passed to stack must have matching shapes');
      util.assert(ins[0]!.dtype === t!.dtype, () => 'All tensors passed to stack must have matching dtypes');
    }
    const shape = [...ins[0]!.shape];
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + shape.length + 1 : (attrs.axis as number);
    shape.splice(axis, 0, ins.length);
    return [{ shape, dtype: ins[0]!.dtype }];
  },
  lower: (b, ins, attrs, [out]) => {
    const rank = ins[0]!.type.shape.length;
    const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + rank + 1 : (attrs.axis as number);
    const parts = ins.map((v) => {
      const shape = [...v!.type.shape];
      shape.splice(axis, 0, 1);
      return b.reshape(v!, shape);
    });
    if (parts.length === 1) return [parts[0]];
    return [b.op('stablehlo.concatenate', parts, { shape: out.shape, elem: parts[0].type.elem }, `dimension = ${axis} : i64`)];
  },
};
