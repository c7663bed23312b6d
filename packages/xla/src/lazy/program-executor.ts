import type { BackendValues, DataType } from '@tensorflow/tfjs-core';
import type { Placement } from './graph-types.js';

/** What the lazy backend needs from a server session: the protocol's calls, typed. */
export interface ProgramExecutor {
  readonly numDevices: number;
  upload(values: BackendValues, shape: readonly number[], dtype: DataType, placement: Placement): Promise<string>;
  /** Compiles unless the hash is cached; resolves true when a compilation happened. */
  compile(hash: string, text: string, params: readonly TensorSpecLike[], results: readonly TensorSpecLike[]): Promise<boolean>;
  /**
   * Runs a compiled program. Replicated results of at most `inlineMaxBytes` bytes also come
   * back as values (the loss a loop logs), so that reading them needs no Fetch. `donate`:
   * input handles the program consumes (aliased to results in the module), freed after it.
   * `release`: other handles the client no longer needs, freed before the run.
   */
  execute(hash: string, inputs: readonly string[], inlineMaxBytes?: number, donate?: readonly string[], release?: readonly string[]): Promise<ExecuteResult>;
  fetch(handle: string, dtype: DataType, size: number): Promise<BackendValues>;
  release(handles: readonly string[]): Promise<void>;
}

/** New buffer handles in result order, and the values of the results that came back inline. */
export interface ExecuteResult {
  readonly handles: readonly string[];
  readonly values: readonly (BackendValues | undefined)[];
}

export interface TensorSpecLike {
  readonly shape: readonly number[];
  readonly dtype: DataType;
  readonly placement: Placement;
}
