import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/**
 * The kernel that failed because it read GPU data synchronously: tfjs-backend-webgpu does that
 * through `OffscreenCanvas`, which Node lacks (Tile of rank 5 or more, NonMaxSuppressionV3/V5,
 * StringNGrams on data on the GPU). Undefined for other errors.
 */
export function syncReadKernelOf(error: unknown): string | undefined {
  if (!(error instanceof ReferenceError) || !/OffscreenCanvas/.test(error.message)) return undefined;
  // tfjs names each kernel's function: the first caller of readSync that is one is the kernel.
  const byFunction = new Map(tf.getKernelsForBackend('webgpu').map((k) => [k.kernelFunc.name, k.kernelName]));
  const frames = (error.stack ?? '').split('\n');
  const start = frames.findIndex((frame) => frame.includes('readSync'));
  for (const frame of frames.slice(start + 1)) {
    const name = /^\s*at (?:Object\.)?([\w$]+)/.exec(frame)?.[1];
    if (name !== undefined && byFunction.has(name)) return byFunction.get(name);
  }
  return 'an unidentified kernel';
}

/** The `missing-kernel` error for a kernel that needs a synchronous read here. */
export function syncReadError(kernel: string, cause: unknown): StrataError {
  return new StrataError(
    'missing-kernel',
    `WebGPU kernel '${kernel}' needs a synchronous read of GPU data for these inputs, which tfjs-backend-webgpu does through OffscreenCanvas, absent in Node.`,
    {
      value: kernel,
      fix: `use a form of the op that stays on the GPU (for Tile: rank 4 or less), run in a browser, or train on another strategy (strategy: 'cpu').`,
      cause,
    },
  );
}

/**
 * While installed, a kernel that throws under `tf.profile` throws synchronously. tfjs's
 * profiler runs kernels inside the backend's async `time()`, which would turn the error into
 * a rejected promise that nobody awaits (Node then exits) and leave its timer stack broken.
 * Returns the function that uninstalls it.
 */
export function throwKernelErrorsSynchronously(backend: WebGPUBackend): () => void {
  const original = backend.time;
  backend.time = function (this: WebGPUBackend, f: () => void) {
    let failure: { error: unknown } | undefined;
    const timer = original.call(this, () => {
      try {
        f();
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) {
      void timer.catch(() => undefined);
      throw failure.error;
    }
    return timer;
  };
  return () => {
    backend.time = original;
  };
}
