// tfjs-core alone registers neither gradients nor chained ops (the `@tensorflow/tfjs` union
// package does). Training needs the gradients, and users of tfjs expect `x.reshape(...)`, so
// every Strata program gets both through @strata/core, in the host's own tfjs-core: the one
// `@tensorflow/tfjs-core` resolves to for the application, whose registry and Tensor class they
// join. Every gradient or method the host already has is left as it is, except Sum and Mean:
// Strata's gradients replace those (unregistering the host's first, so tfjs's debug mode prints
// no override warning), and go in first so that tfjs-core's are not registered under them.
import * as tf from '@tensorflow/tfjs-core';
import { addMissingTensorMethods, registerMissingGradients } from './host-tfjs-registrations.js';
import { gradientConfigs, tensorMethods } from './tfjs-registrations.js';
import { meanGradient, registerReductionGradients, sumGradient } from './gradients/reduction-gradients.js';
import { registerBatchNormTrainingGradient } from './ops/batch-norm-training.js';

for (const { kernelName } of [sumGradient, meanGradient]) {
  if (tf.getGradient(kernelName) != null) tf.unregisterGradient(kernelName);
}
registerReductionGradients();
registerBatchNormTrainingGradient();
registerMissingGradients(gradientConfigs);
addMissingTensorMethods(tensorMethods);
