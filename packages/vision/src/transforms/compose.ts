import { SeededRandom } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';
import type { Transform } from './transform.js';

/**
 * Runs transforms in order, each with its own probability, like `albumentations.Compose`.
 * Given a seed (or a generator) it is deterministic: the same seed, the same output.
 *
 * @example
 * const train = new Compose([new RandomResizedCrop(64, 64), new HorizontalFlip({ p: 0.5 }), new Normalize(), new ToTensor()]);
 * const image = await train.run(decoded, 42);
 */
export class Compose implements Transform {
  readonly p: number = 1;

  constructor(readonly transforms: readonly Transform[]) {}

  /** Applies every transform to `image` with a generator seeded by `seed`. */
  run(image: HwcImage, seed: number | SeededRandom): Promise<HwcImage> {
    return this.apply(image, typeof seed === 'number' ? new SeededRandom(seed) : seed);
  }

  async apply(image: HwcImage, random: SeededRandom): Promise<HwcImage> {
    let out = image;
    for (const transform of this.transforms) {
      // Draw only for transforms that are not certain, so adding an always-on transform does
      // not change the random choices of the others.
      if (transform.p >= 1 || (transform.p > 0 && random.next() < transform.p)) out = await transform.apply(out, random);
    }
    return out;
  }
}
