import type { DistributionStrategy } from '@strata/core';

/**
 * One strategy configuration the contract suite runs against. Each backend contributes a file
 * `targets/<name>.ts` that exports `target`.
 */
export interface ContractTarget {
  /** Shown in test names: 'cpu', 'cpu-native', 'wasm', 'webgpu', 'tpu', ... */
  readonly name: string;
  create(): DistributionStrategy | Promise<DistributionStrategy>;
  /** Absolute tolerance on losses and weights against the pure-JS CPU reference. */
  readonly tolerance: number;
  /** A reason to skip on this machine (printed), or undefined to run. */
  skip?(): Promise<string | undefined>;
  /** Starts what the strategy needs (a server), before its tests. */
  before?(): Promise<void>;
  /** Stops it, after its tests. */
  after?(): Promise<void>;
}
