import type { DataType } from '@tensorflow/tfjs-core';
import { elemOf } from '../hlo/hlo-types.js';
import type { KernelLowering } from './kernel-lowering.js';

/** OneHot: onValue where iota along the new last axis equals the index, else offValue. */
export const lowering: KernelLowering = {
  kernelName: 'OneHot',
  inputs: ['indices'],
  infer: ([ix], attrs) => [{ shape: [...ix!.shape, attrs.depth as number], dtype: (attrs.dtype as DataType) ?? 'int32' }],
  lower: (b, [ix], attrs, [out]) => {
    const shape = out.shape;
    const last = shape.length - 1;
    const elem = elemOf(out.dtype);
    const iota = b.op('stablehlo.iota', [], { shape, elem: 'i32' }, `iota_dimension = ${last} : i64`);
    const idx = b.broadcastInDim(b.convert(ix!, 'i32'), shape, ix!.type.shape.map((_, i) => i));
    const hit = b.compare(iota, idx, 'EQ');
    return [b.select(hit, b.splat(Number(attrs.onValue ?? 1), shape, elem), b.splat(Number(attrs.offValue ?? 0), shape, elem))];
  },
};
