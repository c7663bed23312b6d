import type { KernelLowering } from './kernel-lowering.js';

/** Select (tf.where): t where condition, else e; a rank-1 condition picks rows, as in tfjs. */
export const lowering: KernelLowering = {
  kernelName: 'Select',
  inputs: ['condition', 't', 'e'],
  infer: ([, t]) => [{ shape: [...t!.shape], dtype: t!.dtype }],
  lower: (b, [c, t, e]) => {
    const shape = t!.type.shape;
    const cond = c!.type.shape.length === shape.length ? c! : b.broadcastInDim(c!, shape, c!.type.shape.length === 0 ? [] : [0]);
    return [b.select(cond, t!, e!)];
  },
};
