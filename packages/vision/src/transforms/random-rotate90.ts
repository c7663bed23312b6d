import type { SeededRandom } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';
import { HorizontalFlip } from './horizontal-flip.js';
import { probability, type Transform } from './transform.js';
import { transposeImage } from './transpose.js';
import { VerticalFlip } from './vertical-flip.js';

/**
 * Rotates by 0, 90, 180 or 270 degrees counter-clockwise, chosen uniformly. Lesions have no
 * up or down, so these are free extra views.
 *
 * @example
 * new Compose([new RandomRotate90({ p: 1 })]);
 */
export class RandomRotate90 implements Transform {
  readonly p: number;
  private readonly hflip = new HorizontalFlip({ p: 1 });
  private readonly vflip = new VerticalFlip({ p: 1 });

  constructor(options: { p?: number } = {}) {
    this.p = probability(options.p, 0.5);
  }

  apply(image: HwcImage, random: SeededRandom): HwcImage {
    return this.rotate(image, random.nextInt(4));
  }

  /** Rotates counter-clockwise by `quarters` x 90 degrees. */
  rotate(image: HwcImage, quarters: number): HwcImage {
    switch (((quarters % 4) + 4) % 4) {
      case 1:
        return this.vflip.apply(transposeImage(image)); // 90 CCW: (y, x) -> (W-1-x, y)
      case 2:
        return this.vflip.apply(this.hflip.apply(image));
      case 3:
        return this.hflip.apply(transposeImage(image)); // 270 CCW: (y, x) -> (x, H-1-y)
      default:
        return image;
    }
  }
}
