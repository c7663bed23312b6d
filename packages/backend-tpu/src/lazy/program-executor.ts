import type { BackendValues, DataType } from '@tensorflow/tfjs-core';
import type { Placement } from './graph-types.js';

/** What the lazy backend needs from a server session: the protocol's calls, typed. */
export interface ProgramExecutor {
  readonly numDevices: number;
  upload(values: BackendValues, shape: readonly number[], dtype: DataType, placement: Placement): Promise<string>;
  /** Compiles unless the hash is cached; resolves true when a compilation happened. */
  compile(hash: string, text: string, params: readonly TensorSpecLike[], results: readonly TensorSpecLike[]): Promise<boolean>;
  execute(hash: string, inputs: readonly string[]): Promise<string[]>;
  fetch(handle: string, dtype: DataType, size: number): Promise<BackendValues>;
  release(handles: readonly string[]): Promise<void>;
}

export interface TensorSpecLike {
  readonly shape: readonly number[];
  readonly dtype: DataType;
  readonly placement: Placement;
}
