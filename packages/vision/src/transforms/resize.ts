import type { HwcImage } from '../image/hwc-image.js';
import { resizePixels } from './resize-pixels.js';
import { positiveInt, probability, type Transform } from './transform.js';

/**
 * Resizes to height x width (aspect ratio not kept), with sharp (in a browser build, with the
 * browser's image scaling).
 *
 * @example
 * const val = new Compose([new Resize(64, 64), new Normalize(), new ToTensor()]);
 */
export class Resize implements Transform {
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

  apply(image: HwcImage): Promise<HwcImage> {
    return resizePixels(image, this.height, this.width);
  }
}
