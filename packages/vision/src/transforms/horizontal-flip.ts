import type { HwcImage } from '../image/hwc-image.js';
import { blankLike } from '../image/hwc-image.js';
import { probability, type Transform } from './transform.js';

/**
 * Mirrors the image left to right: pixel (y, x) moves to (y, width - 1 - x).
 *
 * @example
 * new Compose([new HorizontalFlip({ p: 0.5 })]);
 */
export class HorizontalFlip implements Transform {
  readonly p: number;

  constructor(options: { p?: number } = {}) {
    this.p = probability(options.p, 0.5);
  }

  apply(image: HwcImage): HwcImage {
    const { height, width, channels: c } = image;
    const out = blankLike(image, height, width);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const from = (y * width + x) * c;
        const to = (y * width + (width - 1 - x)) * c;
        for (let k = 0; k < c; k++) out.data[to + k] = image.data[from + k];
      }
    }
    return out;
  }
}
