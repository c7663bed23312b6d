import type { BackendValues, DataId, DataType, NamedAttrMap } from '@tensorflow/tfjs-core';
import type { KernelLowering } from '../lowerings/kernel-lowering.js';

/** How a tensor is laid out over the session's devices. */
export type Placement = 'replicated' | 'split';

/** Where a tensor's value is: on the host (not yet uploaded), on the server, or still to be computed. */
export type TensorSource =
  | { readonly kind: 'host'; readonly values: BackendValues }
  /**
   * One repeated value. `embed`: a constant the program may bake in (made by an op, such as
   * the ones of Mean's gradient); otherwise an argument uploaded on first use (a variable's
   * zeros: a program argument in the first step as in all later ones).
   */
  | { readonly kind: 'fill'; readonly value: number; readonly embed: boolean }
  /** On the server; `values` when the result also came back inline (a small result, such as the loss). */
  | { readonly kind: 'device'; readonly handle: string; readonly values?: BackendValues }
  | { readonly kind: 'node'; readonly node: LazyNode; readonly index: number };

/** One tensor the backend knows: a tfjs data id, or a value kept alive by pending nodes. */
export interface TensorRecord {
  /** Creation order; the graph's topological order follows it. */
  readonly id: number;
  readonly dataId: DataId;
  readonly shape: number[];
  readonly dtype: DataType;
  source: TensorSource;
  placement: Placement;
  /** tfjs's reference count; 0 once tfjs disposed the data id. */
  refCount: number;
  /** Pending nodes that read this tensor. */
  users: number;
}

/** A recorded kernel call. */
export interface LazyNode {
  readonly id: number;
  readonly lowering: KernelLowering;
  readonly inputs: readonly (TensorRecord | null)[];
  readonly attrs: NamedAttrMap;
  readonly outputs: TensorRecord[];
  /** Outputs whose source is still this node. */
  pendingOutputs: number;
}
