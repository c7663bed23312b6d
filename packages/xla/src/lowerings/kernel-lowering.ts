import type { DataType, NamedAttrMap } from '@tensorflow/tfjs-core';
import type { HloBuilder } from '../hlo/hlo-builder.js';
import type { Value } from '../hlo/hlo-types.js';

/** Shape and dtype of a recorded tensor, as tfjs would compute them. */
export interface TensorMeta {
  readonly shape: number[];
  readonly dtype: DataType;
}

/**
 * One kernel's lowering: the output shapes it infers when recorded (so shapes match tfjs
 * exactly without computing), and the StableHLO it emits when a graph is cut.
 */
export interface KernelLowering {
  readonly kernelName: string;
  /** tfjs's input names in argument order; null when the kernel takes an array (Concat, AddN). */
  readonly inputs: readonly string[] | null;
  /** True when tfjs expects an array of outputs even if there is one (Unpack, SplitV). */
  readonly multiOutput?: boolean;
  infer(inputs: readonly (TensorMeta | null)[], attrs: NamedAttrMap): TensorMeta[];
  lower(b: HloBuilder, inputs: readonly (Value | null)[], attrs: NamedAttrMap, outputs: readonly TensorMeta[]): Value[];
}

/**
 * A kernel's recorded attributes as tfjs declares them (`Conv2DAttrs`, `SumAttrs`, ...): one
 * typed view of the map, so that a lowering reads its fields with their declared types.
 *
 * @example
 * const { strides, pad } = attrsOf<Conv2DAttrs>(attrs);
 */
export function attrsOf<T extends object>(attrs: NamedAttrMap): T {
  return attrs as unknown as T;
}
