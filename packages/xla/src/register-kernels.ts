import * as tf from '@tensorflow/tfjs-core';
import { Fill, Identity, OnesLike, Relu, ZerosLike, type FillAttrs, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { overrideGradient, reluGradViaKernel } from '@strata/core';
import type { XlaBackend } from './lazy/xla-backend.js';
import { LOWERINGS } from './lowerings/index.js';
import { attrsOf } from './lowerings/kernel-lowering.js';

/** The tfjs backend name XLA strategies register. */
export const XLA_BACKEND_NAME = 'xla';

/** Kernels that make host values of a tensor that is not pending (a variable's zeros), by kernel name. */
const HOST_FILLS: Readonly<Record<string, number>> = { [ZerosLike]: 0, [OnesLike]: 1 };

/**
 * Registers one recording kernel per lowering in the table. Idempotent.
 *
 * @example
 * registerXlaKernels();
 * tf.registerBackend('xla', () => new XlaBackend(session));
 */
export function registerXlaKernels(backendName: string = XLA_BACKEND_NAME): void {
  for (const lowering of LOWERINGS.values()) {
    if (tf.getKernel(lowering.kernelName, backendName) !== undefined) continue;
    const hostFill = HOST_FILLS[lowering.kernelName];
    const kernelFunc: KernelFunc = ({ inputs, attrs = {}, backend }) => {
      const xla = backend as XlaBackend;
      if (lowering.kernelName === Identity) {
        // Shares the data id, as tfjs-backend-cpu does (tf.clone, saved tensors of custom
        // gradients): tfjs's leak accounting expects no new data id.
        return xla.shareIdentity(inputs.x as TensorInfo);
      }
      if (lowering.kernelName === Fill) {
        const { value, shape, dtype } = attrsOf<FillAttrs>(attrs);
        return xla.recordFill(Number(value), [...shape], dtype ?? 'float32');
      }
      if (hostFill !== undefined) {
        const x = inputs.x as TensorInfo;
        if (!xla.isPending(x.dataId)) return xla.recordFill(hostFill, [...x.shape], x.dtype, lowering.kernelName);
      }
      const outs = xla.record(lowering, inputs as Record<string, TensorInfo>, attrs);
      return outs.length === 1 && !lowering.multiOutput ? outs[0] : outs;
    };
    tf.registerKernel({ kernelName: lowering.kernelName, backendName, kernelFunc });
  }
  // Relu's gradient as jax lowers it (StrataReluGrad in lowerings/activations.ts), on this backend only.
  overrideGradient(Relu, backendName, reluGradViaKernel);
}

/** Kernel names the xla backend lowers, sorted. */
export function loweredKernels(): string[] {
  return [...LOWERINGS.keys()].sort();
}
