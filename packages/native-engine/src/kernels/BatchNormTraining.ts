import * as tf from '@tensorflow/tfjs-core';
import { STRATA_BATCH_NORM_TRAINING } from '@strata/core';
import { fusedBatchNormAttrs } from './native-backend.js';
import type { NativeKernelConfig } from './register-native-kernel.js';

export { STRATA_BATCH_NORM_TRAINING };

/**
 * Strata's training-mode batch norm as TensorFlow's FusedBatchNormV3 with `is_training`:
 * inputs x (NHWC), scale, offset; attrs { varianceEpsilon }; outputs [y, mean, variance]. The
 * statistics returned are the op's reserve spaces, which on the CPU are the batch mean and the
 * biased variance y was normalized with (its `batch_variance` output is Bessel-corrected, for
 * running averages), and which its gradient op takes back as they are.
 */
export const batchNormTrainingKernel: NativeKernelConfig = {
  kernelName: STRATA_BATCH_NORM_TRAINING,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, scale, offset } = inputs as Record<string, tf.TensorInfo>;
    const opAttrs = fusedBatchNormAttrs(backend, attrs!.varianceEpsilon, true);
    // With is_training and the default exponential_avg_factor of 1 the op takes empty running
    // statistics (it has none to update).
    const none = tf.tensor1d([], 'float32');
    const outputs = backend.executeMultipleOutputs('FusedBatchNormV3', opAttrs, [x!, scale!, offset!, none, none], 6);
    none.dispose();
    const [y, batchMean, batchVariance, mean, variance, workspace] = outputs;
    for (const unused of [batchMean, batchVariance, workspace]) unused!.dispose();
    return [y!, mean!, variance!];
  },
};
