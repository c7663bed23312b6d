import type { Precision } from '@strata/core';
import { DynamicLossScaler, type DynamicLossScalerOptions, type LossScalerState } from './dynamic-loss-scaler.js';
import { PrecisionPlugin } from './precision.js';

/**
 * Mixed precision ('16-mixed' or 'bf16-mixed'). The strategy computes in the low precision with
 * float32 master weights; fp16 also needs dynamic loss scaling, which is the Trainer's job and
 * works on any strategy that declares '16-mixed'. bf16 has float32's range: no scaling.
 *
 * @example new Trainer({ strategy: 'tpu', precision: '16-mixed' }) // picks MixedPrecision with a DynamicLossScaler
 */
export class MixedPrecision extends PrecisionPlugin {
  readonly scaler: DynamicLossScaler | undefined;

  constructor(precision: Exclude<Precision, '32'>, scalerOptions: DynamicLossScalerOptions = {}) {
    super(precision);
    this.scaler = precision === '16-mixed' ? new DynamicLossScaler(scalerOptions) : undefined;
  }

  override get lossScale(): number {
    return this.scaler?.scale ?? 1;
  }

  override get checksFinite(): boolean {
    return this.scaler !== undefined;
  }

  override update(finite: boolean): boolean {
    return this.scaler ? this.scaler.update(finite) : true;
  }

  override stateDict(): Record<string, unknown> {
    return this.scaler ? { scaler: this.scaler.stateDict() } : {};
  }

  override loadStateDict(state: Record<string, unknown>): void {
    if (this.scaler && state.scaler) this.scaler.loadStateDict(state.scaler as LossScalerState);
  }
}
