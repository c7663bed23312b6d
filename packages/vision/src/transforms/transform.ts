import { invalidOption, type SeededRandom } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';

/**
 * One augmentation, in the albumentations spirit: applied with probability `p`, drawing every
 * random choice from the generator it is given, so the same seed gives the same image.
 */
export interface Transform {
  /** Probability that `Compose` applies it (1: always). */
  readonly p: number;
  apply(image: HwcImage, random: SeededRandom): HwcImage | Promise<HwcImage>;
}

/** Checks a probability option. */
export function probability(p: number | undefined, fallback: number): number {
  const value = p ?? fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) invalidOption('p', p, 'a probability in [0, 1]');
  return value;
}

/** Checks a positive integer size option. */
export function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) invalidOption(name, value, 'an integer >= 1');
  return value;
}

/** A uniform draw in [low, high). */
export function uniform(random: SeededRandom, low: number, high: number): number {
  return low + (high - low) * random.next();
}
