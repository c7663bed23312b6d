// tfjs-core alone registers neither gradients nor chained ops (the `@tensorflow/tfjs` union
// package does). Training needs the gradients, and users of tfjs expect `x.reshape(...)`, so
// every Strata program gets both once, through @strata/core. The CommonJS engine is loaded
// first, so the bundled registrations find it (see scripts/bundle-tfjs-registrations.mjs).
import '@tensorflow/tfjs-core';
import './tfjs-registrations.js';
import { registerReductionGradients } from './gradients/reduction-gradients.js';
import { registerBatchNormTrainingGradient } from './ops/batch-norm-training.js';

registerReductionGradients();
registerBatchNormTrainingGradient();
