import type { HwcImage } from '../image/hwc-image.js';
import { blankLike } from '../image/hwc-image.js';
import { probability, type Transform } from './transform.js';

/**
 * Swaps rows and columns: pixel (y, x) moves to (x, y); a height x width image becomes
 * width x height.
 *
 * @example
 * new Compose([new Transpose({ p: 0.5 })]);
 */
export class Transpose implements Transform {
  readonly p: number;

  constructor(options: { p?: number } = {}) {
    this.p = probability(options.p, 0.5);
  }

  apply(image: HwcImage): HwcImage {
    return transposeImage(image);
  }
}

/** The transposed image (rows become columns). */
export function transposeImage(image: HwcImage): HwcImage {
  const { height, width, channels: c } = image;
  const out = blankLike(image, width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * c;
      const to = (x * height + y) * c;
      for (let k = 0; k < c; k++) out.data[to + k] = image.data[from + k];
    }
  }
  return out;
}
