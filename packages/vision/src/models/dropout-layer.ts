import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { StrataError, dropout, quote } from '@strata/core';

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

export interface StrataDropoutArgs extends LayerArgs {
  /** The fraction of values to drop while training, in [0, 1). */
  readonly rate: number;
  /**
   * The mask's shape, broadcast over the input: each entry the input's size, 1 or null (the
   * input's size, such as the batch's), e.g. [null, 1, 1, 1] to drop whole samples.
   */
  readonly noiseShape?: readonly (number | null)[] | null;
}

/**
 * tfjs-layers' Dropout with its mask drawn by @strata/core's `dropout`: while training
 * (`apply(x, { training: true })`), `x * mask / (1 - rate)`; otherwise x unchanged. The mask's
 * seed comes from Strata's seeded global generator as a step argument, so on a backend that
 * draws random numbers on its devices (the XLA strategies) a compiled step draws a new mask at
 * every replay, where tfjs-layers' Dropout draws it in JavaScript once, at trace time.
 *
 * It has no weights; a saved topology names it `StrataDropout`, which
 * `registerStrataDropout()` registers with tfjs-layers' serialization (making one does too).
 *
 * @example
 * x = strataDropout({ rate: 0.2, noiseShape: [null, 1, 1, 1], name: 'block2a_drop' }).apply(x) as tfl.SymbolicTensor;
 */
export class StrataDropout extends tfl.layers.Layer {
  static className = 'StrataDropout';
  readonly rate: number;
  readonly noiseShape: readonly (number | null)[] | null;

  constructor(args: StrataDropoutArgs) {
    const { rate, noiseShape, ...layerArgs } = args;
    super(layerArgs);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new StrataError('bad-input', `StrataDropout: rate must be a number in [0, 1); received ${quote(rate)}`, {
        value: rate,
        fix: 'pass the fraction of values to drop while training, such as 0.2',
      });
    }
    this.rate = rate;
    this.noiseShape = noiseShape ?? null;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training !== true || this.rate === 0) return x;
    return dropout(x, this.rate, this.noiseShape ?? undefined);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { rate: this.rate, noiseShape: this.noiseShape === null ? null : [...this.noiseShape], ...super.getConfig() };
  }
}

let registered = false;

/**
 * Registers `StrataDropout` with tfjs-layers' serialization (once), so that a model saved with it
 * loads again: call it before `tfl.loadLayersModel` of such a model. Making the layer does it
 * too; the package does not at import, so that importing it has no side effect.
 */
export function registerStrataDropout(): void {
  if (registered) return;
  registered = true;
  tf.serialization.registerClass(StrataDropout);
}

/** A dropout layer whose mask is drawn by @strata/core's `dropout` (see the class). */
export function strataDropout(args: StrataDropoutArgs): StrataDropout {
  registerStrataDropout();
  return new StrataDropout(args);
}
