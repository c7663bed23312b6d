import * as tf from '@tensorflow/tfjs-core';

/**
 * Keeps tfjs-backend-cpu from printing its banner ("Hi, looks like you are running
 * TensorFlow.js in Node.js. To speed things up dramatically, install our node backend...") on
 * its first write. Strata chooses the engine itself (the CPU strategy runs the native
 * TensorFlow engine when one is built, and `describe()` names the engine that runs), so the
 * banner's advice does not apply to Strata's use of the backend. tfjs prints the banner once
 * per backend instance, unless its instance is marked as used, which is what this does; tfjs's
 * other warnings stay on. A no-op when '@tensorflow/tfjs-backend-cpu' is not registered.
 *
 * @example
 * await import('@tensorflow/tfjs-backend-cpu');
 * silenceTfjsCpuBanner();
 */
export function silenceTfjsCpuBanner(): void {
  if (tf.findBackendFactory('cpu') === null) return;
  const backend = tf.findBackend('cpu') as (tf.KernelBackend & { firstUse?: unknown }) | null;
  if (backend !== null && backend.firstUse === true) backend.firstUse = false;
}
