import type { HwcImage } from '../image/hwc-image.js';
import { blankLike } from '../image/hwc-image.js';
import { probability, type Transform } from './transform.js';

/**
 * Mirrors the image top to bottom: row y moves to row height - 1 - y.
 *
 * @example
 * new Compose([new VerticalFlip({ p: 0.5 })]);
 */
export class VerticalFlip implements Transform {
  readonly p: number;

  constructor(options: { p?: number } = {}) {
    this.p = probability(options.p, 0.5);
  }

  apply(image: HwcImage): HwcImage {
    const { height, width, channels: c } = image;
    const out = blankLike(image, height, width);
    const row = width * c;
    for (let y = 0; y < height; y++) out.data.set(image.data.subarray(y * row, (y + 1) * row), (height - 1 - y) * row);
    return out;
  }
}
