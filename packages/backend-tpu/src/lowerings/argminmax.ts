// Shared by ArgMax and ArgMin: the first index of the extreme value along one axis.
import { util } from '@tensorflow/tfjs-core';
import type { KernelLowering } from './kernel-lowering.js';

export function argReduction(kernelName: string, dir: 'GE' | 'LE'): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x], attrs) => {
      const [axis] = util.parseAxisParam(attrs.axis as number, x!.shape);
      return [{ shape: x!.shape.filter((_, i) => i !== axis), dtype: 'int32' }];
    },
    lower: (b, [x], attrs, [out]) => {
      const shape = x!.type.shape;
      const [axis] = util.parseAxisParam(attrs.axis as number, shape as number[]);
      const isInt = x!.type.elem === 'i32';
      const init = dir === 'GE' ? (isInt ? -2147483648 : -Infinity) : isInt ? 2147483647 : Infinity;
      // NaNs never win (tfjs compares with > and <): they become the init value.
      const xs = isInt ? x! : b.select(b.compare(x!, x!, 'NE'), b.splat(init, shape, x!.type.elem), x!);
      const extreme = b.reduce(xs, [axis], dir === 'GE' ? 'maximum' : 'minimum', init);
      const keep = shape.map((d, i) => (i === axis ? 1 : d));
      const back = b.broadcastInDim(b.reshape(extreme, keep), shape, shape.map((_, i) => i));
      const iota = b.op('stablehlo.iota', [], { shape, elem: 'i32' }, `iota_dimension = ${axis} : i64`);
      const big = b.splat(shape[axis], shape, 'i32');
      // The first index where x equals the extreme: the min over matching indices.
      const idx = b.select(b.compare(xs, back, 'EQ'), iota, big);
      return [b.reshape(b.reduce(idx, [axis], 'minimum', 2147483647), out.shape)];
    },
  };
}
