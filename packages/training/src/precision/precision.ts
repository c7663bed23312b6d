import type { Precision } from '@strata/core';

/**
 * How the Trainer treats the loss and gradients for one precision. The base class is full
 * precision ('32'): nothing to scale, nothing to check. The casting itself belongs to the
 * strategy (`strategy.setPrecision`): the TPU strategy casts in its lowering.
 */
export class PrecisionPlugin {
  constructor(readonly precision: Precision = '32') {}

  /** Factor the loss is multiplied by before backward. */
  get lossScale(): number {
    return 1;
  }

  /** Whether gradients must be checked for NaN/Inf before each update (one scalar read per optimizer step). */
  get checksFinite(): boolean {
    return false;
  }

  /** Whether the update goes ahead, given whether the unscaled gradients were finite. */
  update(_finite: boolean): boolean {
    return true;
  }

  stateDict(): Record<string, unknown> {
    return {};
  }

  loadStateDict(_state: Record<string, unknown>): void {}
}
