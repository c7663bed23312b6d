import * as tfl from '@tensorflow/tfjs-layers';

type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/**
 * Hands out the reference EfficientNet initializers, each with its own seed drawn from one
 * base seed, so that two models built with the same seed start from the same weights.
 */
export class SeededInitializers {
  private next: number;

  constructor(seed: number) {
    this.next = seed * 1000;
  }

  /** He-like init of the reference: VarianceScaling(2.0, fan_out, truncated normal). */
  conv(): Initializer {
    return tfl.initializers.varianceScaling({ scale: 2.0, mode: 'fanOut', distribution: 'truncatedNormal', seed: this.next++ });
  }

  /** The reference head init: VarianceScaling(1/3, fan_out, uniform). */
  dense(): Initializer {
    return tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanOut', distribution: 'uniform', seed: this.next++ });
  }

  /** Glorot uniform, tfjs's default, seeded. */
  glorot(): Initializer {
    return tfl.initializers.glorotUniform({ seed: this.next++ });
  }
}
