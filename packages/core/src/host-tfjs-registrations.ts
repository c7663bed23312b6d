import * as tf from '@tensorflow/tfjs-core';

/**
 * Registers, in the host's tfjs-core, each gradient whose kernel has none yet. A kernel the host
 * already has a gradient for (from the `@tensorflow/tfjs` union package, tfjs-layers, or its own)
 * keeps it, so nothing is registered twice.
 */
export function registerMissingGradients(configs: readonly tf.GradConfig[]): void {
  for (const config of configs) {
    if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
  }
}

/**
 * Adds each method the host's Tensor class lacks to its prototype (Variable inherits them). A
 * method it already has (its own `cast`, or chained ops the host registered) stays as it is.
 */
export function addMissingTensorMethods(methods: Readonly<Record<string, (...args: never[]) => unknown>>): void {
  const prototype = tf.Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, method] of Object.entries(methods)) {
    if (!(name in prototype)) prototype[name] = method;
  }
}
