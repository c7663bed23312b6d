import type { SeededRandom } from '@strata/core';
import { cropImage, type HwcImage } from '../image/hwc-image.js';
import { assertCropFits } from './crop-size.js';
import { positiveInt, probability, type Transform } from './transform.js';

/**
 * Cuts a height x width window at a uniformly random position.
 *
 * @example
 * new Compose([new RandomCrop(224, 224)]);
 */
export class RandomCrop implements Transform {
  readonly p: number;

  constructor(
    readonly height: number,
    readonly width: number,
    options: { p?: number } = {},
  ) {
    positiveInt('height', height);
    positiveInt('width', width);
    this.p = probability(options.p, 1);
  }

  apply(image: HwcImage, random: SeededRandom): HwcImage {
    assertCropFits('RandomCrop', image, this.height, this.width);
    const top = random.nextInt(image.height - this.height + 1);
    const left = random.nextInt(image.width - this.width + 1);
    return cropImage(image, top, left, this.height, this.width);
  }
}
