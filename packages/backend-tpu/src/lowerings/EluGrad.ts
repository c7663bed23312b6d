import type { KernelLowering } from './kernel-lowering.js';

/** EluGrad: dy where y >= 0, else dy * (y + 1) (y is Elu's output). */
export const lowering: KernelLowering = {
  kernelName: 'EluGrad',
  inputs: ['dy', 'y'],
  infer: ([dy]) => [{ shape: [...dy!.shape], dtype: dy!.dtype }],
  lower: (b, [dy, y]) => {
    const { shape, elem } = y!.type;
    const neg = b.ew('multiply', dy!, b.ew('add', y!, b.splat(1, shape, elem)));
    return [b.select(b.compare(y!, b.splat(0, shape, elem), 'GE'), dy!, neg)];
  },
};
