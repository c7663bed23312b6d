import { StrataError, invalidOption } from '@strata/core';

export interface DynamicLossScalerOptions {
  /** First scale (default 2^16, as torch's GradScaler). */
  readonly initScale?: number;
  /** Factor applied after `growthInterval` finite steps in a row (default 2). */
  readonly growthFactor?: number;
  /** Factor applied on a non-finite gradient (default 0.5). */
  readonly backoffFactor?: number;
  /** Finite steps in a row before growing (default 2000). */
  readonly growthInterval?: number;
  /** Skipped steps in a row after which training fails (default 50: the scale has fallen by 2^50). */
  readonly maxConsecutiveSkips?: number;
}

/** The scaler's checkpointed state. */
export interface LossScalerState {
  readonly scale: number;
  readonly growthTracker: number;
  readonly consecutiveSkips: number;
  readonly skippedSteps: number;
}

/**
 * Dynamic loss scaling for fp16, as torch.amp.GradScaler: the loss is multiplied by `scale`
 * before backward so small gradients survive fp16; gradients are divided by it before clipping
 * and the update. A non-finite gradient halves the scale and skips the step; `growthInterval`
 * finite steps in a row double it. Only the host-side logic lives here, so it is testable alone.
 *
 * @example
 * const scaler = new DynamicLossScaler();
 * const apply = scaler.update(gradientsWereFinite); // false: skip this optimizer step
 */
export class DynamicLossScaler {
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  readonly maxConsecutiveSkips: number;
  private state: { scale: number; growthTracker: number; consecutiveSkips: number; skippedSteps: number };

  constructor(options: DynamicLossScalerOptions = {}) {
    const initScale = options.initScale ?? 2 ** 16;
    if (!(initScale > 0) || !Number.isFinite(initScale)) invalidOption('initScale', initScale, 'a finite number > 0');
    this.growthFactor = options.growthFactor ?? 2;
    if (!(this.growthFactor > 1)) invalidOption('growthFactor', this.growthFactor, 'a number > 1');
    this.backoffFactor = options.backoffFactor ?? 0.5;
    if (!(this.backoffFactor > 0 && this.backoffFactor < 1)) invalidOption('backoffFactor', this.backoffFactor, 'a number in (0, 1)');
    this.growthInterval = options.growthInterval ?? 2000;
    if (!Number.isInteger(this.growthInterval) || this.growthInterval < 1) invalidOption('growthInterval', this.growthInterval, 'an integer >= 1');
    this.maxConsecutiveSkips = options.maxConsecutiveSkips ?? 50;
    if (!Number.isInteger(this.maxConsecutiveSkips) || this.maxConsecutiveSkips < 1) invalidOption('maxConsecutiveSkips', this.maxConsecutiveSkips, 'an integer >= 1');
    this.state = { scale: initScale, growthTracker: 0, consecutiveSkips: 0, skippedSteps: 0 };
  }

  /** The factor the loss is multiplied by now. */
  get scale(): number {
    return this.state.scale;
  }

  /** Optimizer steps skipped so far for non-finite gradients. */
  get skippedSteps(): number {
    return this.state.skippedSteps;
  }

  /**
   * Records whether this step's (unscaled) gradients were all finite; returns whether the
   * optimizer should apply them. Throws `non-finite` after `maxConsecutiveSkips` skips in a row.
   */
  update(finite: boolean): boolean {
    const s = this.state;
    if (finite) {
      s.consecutiveSkips = 0;
      s.growthTracker += 1;
      if (s.growthTracker >= this.growthInterval) {
        s.scale *= this.growthFactor;
        s.growthTracker = 0;
      }
      return true;
    }
    s.scale *= this.backoffFactor;
    s.growthTracker = 0;
    s.consecutiveSkips += 1;
    s.skippedSteps += 1;
    if (s.consecutiveSkips >= this.maxConsecutiveSkips) {
      throw new StrataError('non-finite', `The gradients were NaN or infinite for ${s.consecutiveSkips} optimizer steps in a row (loss scale now ${s.scale}).`, {
        value: s.scale,
        fix: "the model diverges rather than overflowing fp16: lower the learning rate, clip gradients (gradientClipVal), check the loss for log(0) or division by zero, or train in precision '32' or 'bf16-mixed'.",
      });
    }
    return false;
  }

  stateDict(): LossScalerState {
    return { ...this.state };
  }

  loadStateDict(state: LossScalerState): void {
    if (!(state.scale > 0)) invalidOption('loss scaler state', state, 'a state saved by DynamicLossScaler.stateDict()');
    this.state = { scale: state.scale, growthTracker: state.growthTracker, consecutiveSkips: state.consecutiveSkips, skippedSteps: state.skippedSteps };
  }
}
