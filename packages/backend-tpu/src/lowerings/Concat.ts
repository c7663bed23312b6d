import { backend_util, util } from '@tensorflow/tfjs-core';
import { elemOf } from '../hlo/hlo-types.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Concat along attrs.axis; empty inputs are dropped, as tfjs does. */
export const lowering: KernelLowering = {
  kernelName: 'Concat',
  inputs: null,
  infer: (ins, attrs) => {
    const shapes = ins.map((t) => t!.shape);
    const [axis] = util.parseAxisParam(attrs.axis as number, shapes[0]);
    backend_util.assertParamsConsistent(shapes, axis);
    return [{ shape: backend_util.computeOutShape(shapes, axis), dtype: ins[0]!.dtype }];
  },
  lower: (b, ins, attrs, [out]) => {
    const [axis] = util.parseAxisParam(attrs.axis as number, ins[0]!.type.shape as number[]);
    const parts = ins.filter((v) => v!.type.shape.every((d) => d > 0)).map((v) => v!);
    if (parts.length === 0) return [b.splat(0, out.shape, elemOf(out.dtype))];
    if (parts.length === 1) return [b.reshape(parts[0], out.shape)];
    return [b.op('stablehlo.concatenate', parts, { shape: out.shape, elem: parts[0].type.elem }, `dimension = ${axis} : i64`)];
  },
};
