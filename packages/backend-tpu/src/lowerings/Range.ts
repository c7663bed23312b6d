import type { DataType, NamedAttrMap } from '@tensorflow/tfjs-core';
import { elemOf } from '../hlo/hlo-types.js';
import type { KernelLowering } from './kernel-lowering.js';

/** Element count and step exactly as tfjs-backend-cpu's rangeImpl computes them. */
function plan(attrs: NamedAttrMap): { n: number; step: number } {
  const start = attrs.start as number;
  const stop = attrs.stop as number;
  let step = attrs.step as number;
  if (start === stop || (start < stop && step < 0) || (stop < start && step > 1)) return { n: 0, step };
  const n = Math.abs(Math.ceil((stop - start) / step));
  if (stop < start && step === 1) step = -1;
  return { n, step };
}

/** Range: start + step * iota. */
export const lowering: KernelLowering = {
  kernelName: 'Range',
  inputs: [],
  infer: (_ins, attrs) => [{ shape: [plan(attrs).n], dtype: (attrs.dtype as DataType) ?? 'float32' }],
  lower: (b, _ins, attrs, [out]) => {
    const elem = elemOf(out.dtype);
    const iota = b.op('stablehlo.iota', [], { shape: out.shape, elem }, 'iota_dimension = 0 : i64');
    const scaled = b.ew('multiply', iota, b.splat(plan(attrs).step, out.shape, elem));
    return [b.ew('add', scaled, b.splat(Number(attrs.start), out.shape, elem))];
  },
};
