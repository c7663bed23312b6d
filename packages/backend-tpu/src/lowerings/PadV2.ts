import { i64s } from '../hlo/hlo-builder.js';
import type { KernelLowering } from './kernel-lowering.js';

/** PadV2 (tf.pad): attrs.paddings [[before, after], ...] filled with attrs.constantValue. */
export const lowering: KernelLowering = {
  kernelName: 'PadV2',
  inputs: ['x'],
  infer: ([x], attrs) => {
    const p = attrs.paddings as [number, number][];
    return [{ shape: x!.shape.map((d, i) => p[i][0] + d + p[i][1]), dtype: x!.dtype }];
  },
  lower: (b, [x], attrs, [out]) => {
    const p = attrs.paddings as [number, number][];
    const value = b.constant(Number(attrs.constantValue ?? 0), x!.type.elem);
    const props = `edge_padding_high = ${i64s(p.map((q) => q[1]))}, edge_padding_low = ${i64s(p.map((q) => q[0]))}, interior_padding = ${i64s(p.map(() => 0))}`;
    return [b.op('stablehlo.pad', [x!, value], { shape: out.shape, elem: x!.type.elem }, props)];
  },
};
