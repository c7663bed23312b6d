import { StrataError, invalidOption } from '@strata/core';
import type { Callback, EpochMetrics, TrainerView } from '../callback.js';

export interface EarlyStoppingOptions {
  /** The metric to watch, e.g. 'val_loss'. */
  readonly monitor: string;
  /** 'min' (default): lower is better; 'max': higher is better. */
  readonly mode?: 'min' | 'max';
  /** Checks without improvement before stopping (default 3). */
  readonly patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  readonly minDelta?: number;
  /** Stop at once when the metric is NaN or infinite (default true). */
  readonly checkFinite?: boolean;
  /** Stop once the metric reaches this value. */
  readonly stoppingThreshold?: number;
  /** Stop once the metric is worse than this value. */
  readonly divergenceThreshold?: number;
  /** Fail when the metric was never logged (default true). */
  readonly strict?: boolean;
}

/**
 * Stops training when a monitored metric stops improving, as Lightning's EarlyStopping. It
 * checks after each validation run (or at train epoch end when the metric is not a validation
 * one); the stop takes effect once `minEpochs` are done.
 *
 * @example new EarlyStopping({ monitor: 'val_loss', mode: 'min', patience: 3, minDelta: 1e-3 })
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly checkFinite: boolean;
  readonly stoppingThreshold: number | undefined;
  readonly divergenceThreshold: number | undefined;
  readonly strict: boolean;
  /** Checks in a row without improvement. */
  waitCount = 0;
  bestScore: number;
  /** The epoch at which it asked to stop, if it did. */
  stoppedEpoch: number | undefined;
  stopReason: string | undefined;
  private checkedThisEpoch = false;

  constructor(options: EarlyStoppingOptions) {
    if (typeof options?.monitor !== 'string' || options.monitor === '') invalidOption('monitor', options?.monitor, "a logged metric name such as 'val_loss'");
    this.monitor = options.monitor;
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') invalidOption('mode', this.mode, "'min' or 'max'");
    this.patience = options.patience ?? 3;
    if (!Number.isInteger(this.patience) || this.patience < 0) invalidOption('patience', this.patience, 'an integer >= 0');
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.checkFinite = options.checkFinite ?? true;
    this.stoppingThreshold = options.stoppingThreshold;
    this.divergenceThreshold = options.divergenceThreshold;
    this.strict = options.strict ?? true;
    this.bestScore = this.mode === 'min' ? Infinity : -Infinity;
  }

  get stateKey(): string {
    return `EarlyStopping{monitor=${this.monitor},mode=${this.mode}}`;
  }

  stateDict(): unknown {
    return { waitCount: this.waitCount, bestScore: this.bestScore, stoppedEpoch: this.stoppedEpoch ?? null, patience: this.patience };
  }

  loadStateDict(state: unknown): void {
    const s = state as { waitCount: number; bestScore: number | null; stoppedEpoch: number | null };
    this.waitCount = s.waitCount;
    // JSON turns Infinity into null.
    this.bestScore = s.bestScore ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.stoppedEpoch = s.stoppedEpoch ?? undefined;
  }

  onTrainEpochStart(): void {
    this.checkedThisEpoch = false;
  }

  onValidationEpochEnd(trainer: TrainerView, _module: unknown, metrics: EpochMetrics): void {
    if (trainer.sanityChecking || !(this.monitor in metrics)) return;
    this.check(trainer, metrics[this.monitor]);
  }

  onTrainEpochEnd(trainer: TrainerView, _module: unknown, metrics: EpochMetrics): void {
    if (this.checkedThisEpoch) return;
    const value = metrics[this.monitor];
    if (value === undefined) {
      // A validation metric on an epoch without validation (checkValEveryNEpoch > 1): nothing to check.
      if (this.monitor in trainer.callbackMetrics || trainer.currentEpoch + 1 < trainer.options.checkValEveryNEpoch) return;
      if (!this.strict) return;
      throw new StrataError('invalid-option', `EarlyStopping monitors ${JSON.stringify(this.monitor)}, which was not logged.`, {
        value: this.monitor,
        fix: `log it with this.log(${JSON.stringify(this.monitor)}, value), or monitor one of: ${Object.keys(metrics).join(', ')}; strict: false ignores a missing metric.`,
      });
    }
    this.check(trainer, value);
  }

  private check(trainer: TrainerView, value: number): void {
    this.checkedThisEpoch = true;
    const better = (a: number, b: number) => (this.mode === 'min' ? a < b : a > b);
    let reason: string | undefined;
    if (this.checkFinite && !Number.isFinite(value)) {
      reason = `${this.monitor} = ${value} is not finite`;
    } else if (this.stoppingThreshold !== undefined && !better(this.stoppingThreshold, value)) {
      reason = `${this.monitor} = ${value} reached the stopping threshold ${this.stoppingThreshold}`;
    } else if (this.divergenceThreshold !== undefined && better(this.divergenceThreshold, value)) {
      reason = `${this.monitor} = ${value} crossed the divergence threshold ${this.divergenceThreshold}`;
    } else if (better(this.mode === 'min' ? value + this.minDelta : value - this.minDelta, this.bestScore)) {
      // As Lightning: an improvement must beat the best by more than minDelta.
      this.bestScore = value;
      this.waitCount = 0;
    } else {
      this.waitCount += 1;
      if (this.waitCount >= this.patience) reason = `${this.monitor} did not improve by ${this.minDelta} for ${this.waitCount} checks (best ${this.bestScore})`;
    }
    if (reason) {
      trainer.shouldStop = true;
      trainer.stopReason = reason;
      this.stoppedEpoch = trainer.currentEpoch;
      this.stopReason = reason;
    }
  }
}
