import type { KernelConfig, KernelSetupFunc, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * tfjs-wasm's own kernels that this package replaces with faster ones for the common cases,
 * kept so a replacement can hand the other cases back.
 */
const natives = new Map<string, KernelConfig>();

/** Called by the registration before it unregisters tfjs-wasm's kernel. */
export function keepNative(config: KernelConfig): void {
  natives.set(config.kernelName, config);
}

/** Runs tfjs-wasm's own kernel `name` on `args`. */
export function runNative(name: string, args: unknown): TensorInfo {
  const native = natives.get(name);
  if (native === undefined) throw new Error(`@strata/backend-wasm: tfjs-wasm's own '${name}' kernel is not available to fall back to.`);
  const out = native.kernelFunc(args as never);
  return Array.isArray(out) ? out[0] : out;
}

/**
 * A setup function for a replacement kernel: tfjs runs setup functions when the backend
 * initialises, and only for the kernels registered then, so the native kernel we replaced gets
 * its wasm binding through ours.
 */
export function setupNative(name: string): KernelSetupFunc {
  return (backend) => {
    natives.get(name)?.setupFunc?.(backend);
  };
}
