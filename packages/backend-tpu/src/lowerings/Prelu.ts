import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelLowering } from './kernel-lowering.js';

/** Prelu: x where x >= 0, else alpha * x, alpha broadcast to x. */
export const lowering: KernelLowering = {
  kernelName: 'Prelu',
  inputs: ['x', 'alpha'],
  infer: ([x, alpha]) => [{ shape: backend_util.assertAndGetBroadcastShape(x!.shape, alpha!.shape), dtype: 'float32' }],
  lower: (b, [x, alpha], _attrs, [out]) => {
    const xv = b.broadcastTo(b.convert(x!, 'f32'), out.shape);
    const av = b.broadcastTo(b.convert(alpha!, 'f32'), out.shape);
    return [b.select(b.compare(xv, b.splat(0, out.shape, xv.type.elem), 'LT'), b.ew('multiply', xv, av), xv)];
  },
};
