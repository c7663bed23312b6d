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
   * `literals`: arguments sent by value with the call instead of as uploaded buffers (a step's
   * learning rate and bias corrections, which change every step; a small batch), at most
   * 1 MiB each; then `inputs` holds the handles of the other arguments, in argument order.
   * `asynchronous`: the server replies once the run is queued, before it ends (no value
   * comes back inline); a later call that needs the results waits for them there.
   */
  execute(
    hash: string,
    inputs: readonly string[],
    inlineMaxBytes?: number,
    donate?: readonly string[],
    release?: readonly string[],
    literals?: readonly LiteralArgument[],
    asynchronous?: boolean,
  ): Promise<ExecuteResult>;
  fetch(handle: string, dtype: DataType, size: number): Promise<BackendValues>;
  release(handles: readonly string[]): Promise<void>;
}

/** A small argument sent by value with an Execute call: it needs no Upload and no release. */
export interface LiteralArgument {
  /** The program argument it fills, from 0. */
  readonly index: number;
  readonly values: BackendValues;
  readonly shape: readonly number[];
  readonly dtype: DataType;
  /** The placement the program was compiled with for this argument; 'replicated' when left out. */
  readonly placement?: Placement;
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
