import { SeededRandom, invalidOption } from '@strata/core';
import type { Sampler } from './sampler.js';

export interface WeightedRandomSamplerOptions {
  /** Indices per epoch (default: as many as weights). */
  readonly numSamples?: number;
  /** Draw with replacement (default true); without, `numSamples` must not exceed the weights. */
  readonly replacement?: boolean;
}

/**
 * Draws indices with probability proportional to their weight, like PyTorch's
 * `WeightedRandomSampler`: the usual cure for class imbalance is to weight each sample by the
 * inverse of its class frequency (`WeightedRandomSampler.balanced(labels)`), which oversamples
 * the rare class.
 *
 * @example
 * const sampler = WeightedRandomSampler.balanced(targets);
 * const loader = new DataLoader(dataset, { batchSize: 32, sampler, seed: 1 });
 */
export class WeightedRandomSampler implements Sampler {
  readonly length: number;
  readonly replacement: boolean;
  private readonly cumulative: Float64Array;

  constructor(
    readonly weights: readonly number[],
    options: WeightedRandomSamplerOptions = {},
  ) {
    if (weights.length === 0 || weights.some((w) => !(w >= 0) || !Number.isFinite(w)) || !weights.some((w) => w > 0)) {
      invalidOption('weights', weights.slice(0, 8), 'a non-empty list of finite numbers >= 0, not all 0');
    }
    this.length = options.numSamples ?? weights.length;
    this.replacement = options.replacement ?? true;
    if (!Number.isInteger(this.length) || this.length < 1) invalidOption('numSamples', options.numSamples, 'an integer >= 1');
    if (!this.replacement && this.length > weights.filter((w) => w > 0).length) {
      invalidOption('numSamples', this.length, `at most ${weights.filter((w) => w > 0).length} (the samples with a positive weight) without replacement`);
    }
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => (this.cumulative[i] = sum += w));
  }

  /** Weights 1 / (count of the sample's class), so each class is drawn equally often. */
  static balanced(labels: readonly number[], options: WeightedRandomSamplerOptions = {}): WeightedRandomSampler {
    const counts = new Map<number, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    return new WeightedRandomSampler(labels.map((l) => 1 / counts.get(l)!), options);
  }

  indices(epoch: number, seed: number): number[] {
    const random = new SeededRandom(((seed * 7919) ^ (epoch * 104729) ^ 0x5bd1e995) >>> 0);
    if (this.replacement) return Array.from({ length: this.length }, () => this.draw(random));
    // Without replacement: Efraimidis-Spirakis keys u^(1/w), largest first.
    const keyed = this.weights
      .map((w, i) => ({ i, key: w > 0 ? Math.log(Math.max(random.next(), 1e-300)) / w : -Infinity }))
      .sort((a, b) => b.key - a.key);
    return keyed.slice(0, this.length).map((k) => k.i);
  }

  private draw(random: SeededRandom): number {
    const target = random.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
