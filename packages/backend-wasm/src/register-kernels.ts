import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { overrideGradient, reluGradViaKernel } from '@strata/core';
import { keepNative } from './kernel_utils/native_kernels.js';
import { addConfig } from './kernels/Add.js';
import { castConfig } from './kernels/Cast.js';
import { conv2DBackpropFilterConfig } from './kernels/Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './kernels/Conv2DBackpropInput.js';
import { depthwiseConv2dNativeBackpropFilterConfig } from './kernels/DepthwiseConv2dNativeBackpropFilter.js';
import { depthwiseConv2dNativeBackpropInputConfig } from './kernels/DepthwiseConv2dNativeBackpropInput.js';
import { identityConfig } from './kernels/Identity.js';
import { maxPoolGradConfig } from './kernels/MaxPoolGrad.js';
import { meanConfig } from './kernels/Mean.js';
import { reluGradConfig } from './kernels/ReluGrad.js';
import { sliceConfig, splitVConfig } from './kernels/Slice.js';
import { sumConfig } from './kernels/Sum.js';
import { tileConfig } from './kernels/Tile.js';

/**
 * The training kernels this package adds to tfjs-backend-wasm: the three it lacks
 * (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput),
 * faster replacements for six it has but that dominate a training step
 * (Conv2DBackpropInput, MaxPoolGrad, Sum and Mean over axes before the last, Tile, which batch
 * norm's gradient uses, and Add of a bias), Identity and same-dtype Cast without a copy (tfjs
 * clones every tensor a gradient saves), relu's gradient as one kernel, and contiguous Slice and
 * SplitV without a copy of the whole input each.
 */
export const TRAINING_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  maxPoolGradConfig,
  meanConfig,
  sumConfig,
  tileConfig,
  identityConfig,
  castConfig,
  addConfig,
  reluGradConfig,
  sliceConfig,
  splitVConfig,
];

let registered = false;

/**
 * Registers `TRAINING_KERNELS` for the 'wasm' backend; idempotent. A kernel tfjs-wasm already has
 * is replaced (tfjs would otherwise keep its own and only warn) and kept for the cases the
 * replacement hands back. Call it before the wasm backend is first initialised.
 *
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * registerTrainingKernels();
 * await tf.setBackend('wasm'); // convnets now train on wasm
 */
export function registerTrainingKernels(): void {
  if (registered) return;
  for (const config of TRAINING_KERNELS) {
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing !== undefined) {
      keepNative(existing);
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
  overrideGradient('Relu', 'wasm', reluGradViaKernel);
  registered = true;
}
