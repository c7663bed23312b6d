import { util } from '@tensorflow/tfjs-core';
import { i64s } from '../hlo/hlo-builder.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Reverse along attrs.dims. */
export const lowering: KernelLowering = {
  kernelName: 'Reverse',
  inputs: ['x'],
  infer: ([x], attrs) => {
    // Checks the axes as tfjs-backend-cpu does (invalid or non-integer axes throw).
    util.parseAxisParam(attrs.dims as number | number[], x!.shape);
    return [{ shape: [...x!.shape], dtype: x!.dtype }];
  },
  lower: (b, [x], attrs) => {
    const dims = util.parseAxisParam(attrs.dims as number | number[], x!.type.shape as number[]);
    if (dims.length === 0) return [x!];
    return [b.op('stablehlo.reverse', [x!], x!.type, `dimensions = ${i64s([...dims].sort((p, q) => p - q))}`)];
  },
};
