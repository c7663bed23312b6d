// What tfjs-core's registration modules register into, inside the registrations bundle: the
// gradient configs register_all_gradients.js passes to `registerGradient`, and the methods the
// chained ops assign to `getGlobalTensorClass().prototype`. Importing the bundle collects them;
// @strata/core then installs on the host's tfjs-core the ones the host does not have yet.

/** Every gradient config tfjs-core registers, in its order. */
export const gradientConfigs = [];

/** Every chained op tfjs-core adds to Tensor.prototype, by method name. */
export const tensorMethods = {};

export function registerGradient(config) {
  gradientConfigs.push(config);
}

const stagedTensorClass = { prototype: tensorMethods };

export function getGlobalTensorClass() {
  return stagedTensorClass;
}
