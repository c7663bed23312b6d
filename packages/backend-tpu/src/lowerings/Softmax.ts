import type { KernelLowering } from './kernel-lowering.js';

/** Softmax over the last axis: e^(x - max) / sum, the max subtracted for range. */
export const lowering: KernelLowering = {
  kernelName: 'Softmax',
  inputs: ['logits'],
  infer: ([x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
  lower: (b, [x]) => {
    const shape = x!.type.shape;
    const last = shape.length - 1;
    const keep = shape.map((_, i) => i).filter((i) => i !== last);
    const max = b.broadcastInDim(b.reduce(x!, [last], 'maximum', -Infinity), shape, keep);
    const e = b.ew('exponential', b.ew('subtract', x!, max));
    const sum = b.broadcastInDim(b.reduce(e, [last], 'add', 0), shape, keep);
    return [b.ew('divide', e, sum)];
  },
};
