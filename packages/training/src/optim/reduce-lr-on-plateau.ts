import type * as tf from '@tensorflow/tfjs-core';
import { StrataError, invalidOption } from '@strata/core';
import { LrScheduler, type LrSchedulerState } from './lr-scheduler.js';

export interface ReduceLrOnPlateauOptions {
  /** 'min' (default): lower is better; 'max': higher is better. */
  readonly mode?: 'min' | 'max';
  /** Factor of each reduction (default 0.1). */
  readonly factor?: number;
  /** Intervals without improvement before a reduction (default 10). */
  readonly patience?: number;
  /** Relative improvement that counts (default 1e-4). */
  readonly threshold?: number;
  /** Intervals to wait after a reduction (default 0). */
  readonly cooldown?: number;
  /** Lowest rate (default 0). */
  readonly minLr?: number;
}

/**
 * Reduces the rate when a monitored metric stops improving (torch's ReduceLROnPlateau, 'rel'
 * threshold mode). The Trainer passes the metric named by `monitor` in `configureOptimizers`.
 * @example return { optimizer, lrScheduler: { scheduler: new ReduceLrOnPlateau(optimizer, { patience: 2 }), monitor: 'val_loss' } };
 */
export class ReduceLrOnPlateau extends LrScheduler {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly cooldown: number;
  readonly minLr: number;
  private best: number;
  private badEpochs = 0;
  private cooldownLeft = 0;

  constructor(optimizer: tf.Optimizer, options: ReduceLrOnPlateauOptions = {}) {
    super(optimizer);
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') invalidOption('mode', this.mode, "'min' or 'max'");
    this.factor = options.factor ?? 0.1;
    if (!(this.factor > 0 && this.factor < 1)) invalidOption('factor', this.factor, 'a number in (0, 1)');
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  override step(metric?: number): void {
    if (metric === undefined) {
      throw new StrataError('invalid-option', 'ReduceLrOnPlateau.step() needs the monitored metric.', {
        fix: "name it in configureOptimizers: lrScheduler: { scheduler, monitor: 'val_loss' }.",
      });
    }
    this.lastEpoch += 1;
    const better = this.mode === 'min' ? metric < this.best * (1 - this.threshold) : metric > this.best * (1 + this.threshold);
    if (better) {
      this.best = metric;
      this.badEpochs = 0;
    } else {
      this.badEpochs += 1;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.patience) {
      super.loadStateDict({ lastEpoch: this.lastEpoch, lr: Math.max(this.lr * this.factor, this.minLr) });
      this.cooldownLeft = this.cooldown;
      this.badEpochs = 0;
    }
  }

  protected computeLr(): number {
    return this.lr;
  }

  override stateDict(): LrSchedulerState {
    return { ...super.stateDict(), best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft };
  }

  override loadStateDict(state: LrSchedulerState): void {
    super.loadStateDict(state);
    this.best = state.best as number;
    this.badEpochs = state.badEpochs as number;
    this.cooldownLeft = state.cooldownLeft as number;
  }
}
