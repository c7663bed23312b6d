// Batch normalisation with given statistics (tf.batchNorm); its gradients are element-wise
// kernels and reductions that tfjs records on their own.
import { FusedBatchNorm, type FusedBatchNormAttrs } from '@tensorflow/tfjs-core';
import { attrsOf, type KernelLowering } from './kernel-lowering.js';

/** FusedBatchNorm (tf.batchNorm): (x - mean) * rsqrt(variance + eps) * scale + offset, broadcast. */
const fusedBatchNorm: KernelLowering = {
  kernelName: FusedBatchNorm,
  inputs: ['x', 'mean', 'variance', 'offset', 'scale'],
  infer: ([x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
  lower: (b, [x, mean, variance, offset, scale], attrs) => {
    const shape = x!.type.shape;
    const elem = x!.type.elem;
    const eps = Number(attrsOf<FusedBatchNormAttrs>(attrs).varianceEpsilon ?? 0.001);
    const at = (v: typeof x) => b.broadcastTo(v!, shape);
    const inv = b.ew('rsqrt', b.ew('add', at(variance), b.splat(eps, shape, elem)));
    let y = b.ew('multiply', b.ew('subtract', x!, at(mean)), inv);
    if (scale) y = b.ew('multiply', y, at(scale));
    if (offset) y = b.ew('add', y, at(offset));
    return [y];
  },
};

export const BATCH_NORM_LOWERINGS: readonly KernelLowering[] = [fusedBatchNorm];
