import type * as tf from '@tensorflow/tfjs-core';
import { sha256Hex } from './fastest-host.js';
import type { BatchLeaf } from './host-batch.js';
import type { MachineSignature } from './machine-signature.js';

export { machineSignature, strataVersion } from './fastest-host.js';
export type { MachineSignature };

/** What a cached pick holds for: another machine, model, candidate set or Strata version measures again. */
export interface FastestKey {
  readonly strata: string;
  readonly machine: MachineSignature;
  readonly model: ModelSignature;
  /** The strategies measured, each with the engine its probe names (a GPU's name, where it has one). */
  readonly candidates: readonly { readonly name: string; readonly engine: string }[];
}

export interface ModelSignature {
  /** The module's class name. */
  readonly module: string;
  /** Shape and dtype of each trainable variable, in the module's order. Names are left out: tfjs numbers them per process. */
  readonly parameters: readonly string[];
  readonly batch: readonly BatchLeaf[];
  readonly precision: string;
  readonly devices: number | null;
}

/** The module's class, trainable variables and batch, with the precision and device count it trains in. */
export function modelSignature(
  module: object,
  parameters: readonly tf.Variable[],
  batch: readonly BatchLeaf[],
  precision: string,
  devices: number | undefined,
): ModelSignature {
  return {
    module: module.constructor.name,
    parameters: parameters.map((v) => `${v.dtype}[${v.shape.join(',')}]`),
    batch: batch.map((leaf) => ({ path: leaf.path, shape: [...leaf.shape], dtype: leaf.dtype })),
    precision,
    devices: devices ?? null,
  };
}

/** A short stable id of a key: the SHA-256 of its JSON (each field in a fixed order). */
export async function fastestKeyId(key: FastestKey): Promise<string> {
  return (await sha256Hex(JSON.stringify(key))).slice(0, 32);
}
