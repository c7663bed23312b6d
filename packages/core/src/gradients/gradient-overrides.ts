import * as tf from '@tensorflow/tfjs-core';

/** A gradient's closures, one per input, as tfjs's `GradConfig.gradFunc` returns them. */
export type InputGradients = Record<string, () => tf.Tensor>;

/**
 * A backend's own gradient of a kernel: its closures, or `undefined` for a case it does not
 * handle (a dtype, a rank, a gradient of a gradient), where tfjs's own gradient runs.
 */
export type GradientOverride = (dy: tf.Tensor, saved: tf.Tensor[], attrs: tf.NamedAttrMap) => InputGradients | undefined;

interface Overridden {
  /** tfjs's gradient as it was before any override. */
  readonly original: tf.GradConfig;
  readonly byBackend: Map<string, GradientOverride>;
}

// tfjs keeps its gradient registry on globalThis; so does this, so that two copies of this
// module (a bundle next to an install) cannot wrap each other's wrappers.
const REGISTRY_KEY = Symbol.for('strata.gradientOverrides');
const registry: Map<string, Overridden> = ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] as Map<string, Overridden> | undefined) ??
  ((globalThis as Record<symbol, unknown>)[REGISTRY_KEY] = new Map<string, Overridden>());

/**
 * Uses `gradient` for `kernelName` while `backendName` is the active backend, and tfjs's own
 * gradient on every other backend and wherever `gradient` declines. tfjs registers gradients
 * per kernel name for all backends at once; this lets an engine use its fused gradient ops
 * (TensorFlow's ReluGrad, a lowering on the TPU) without changing what the others compute.
 * The saved tensors stay tfjs's (`inputsToSave`, `outputsToSave`). Registering again for the
 * same backend replaces that backend's gradient.
 */
export function overrideGradient(kernelName: string, backendName: string, gradient: GradientOverride): void {
  let entry = registry.get(kernelName);
  if (entry === undefined) {
    const original = tf.getGradient(kernelName);
    if (original === undefined) throw new Error(`no tfjs gradient is registered for ${kernelName}: import @strata/core first`);
    entry = { original, byBackend: new Map() };
    registry.set(kernelName, entry);
    const { byBackend } = entry;
    const fallback = original.gradFunc;
    tf.registerGradient({
      ...original,
      gradFunc: (dy, saved, attrs) => {
        const own = Array.isArray(dy) ? undefined : byBackend.get(tf.getBackend());
        return own?.(dy as tf.Tensor, saved, attrs) ?? fallback(dy, saved, attrs);
      },
    });
  }
  entry.byBackend.set(backendName, gradient);
}

/**
 * Whether an outer tape records the backward pass (a gradient of a gradient). A gradient that
 * calls a kernel with no gradient of its own must decline then, so tfjs's composed one runs.
 */
export function higherOrder(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}
