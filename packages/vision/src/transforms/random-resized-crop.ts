import { invalidOption, type SeededRandom } from '@strata/core';
import { cropImage, type HwcImage } from '../image/hwc-image.js';
import { resizePixels } from './resize-pixels.js';
import { positiveInt, probability, uniform, type Transform } from './transform.js';

export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's (default [0.08, 1]). */
  readonly scale?: readonly [number, number];
  /** Range of the crop's aspect ratio, width / height (default [3/4, 4/3]). */
  readonly ratio?: readonly [number, number];
  readonly p?: number;
}

/**
 * Crops a random area and aspect ratio, then resizes it to height x width: torchvision's and
 * albumentations' algorithm (10 tries, then a central crop).
 *
 * @example
 * new Compose([new RandomResizedCrop(64, 64, { scale: [0.6, 1] })]);
 */
export class RandomResizedCrop implements Transform {
  readonly p: number;
  readonly scale: readonly [number, number];
  readonly ratio: readonly [number, number];

  constructor(
    readonly height: number,
    readonly width: number,
    options: RandomResizedCropOptions = {},
  ) {
    positiveInt('height', height);
    positiveInt('width', width);
    this.scale = options.scale ?? [0.08, 1];
    this.ratio = options.ratio ?? [3 / 4, 4 / 3];
    if (!(this.scale[0] > 0 && this.scale[0] <= this.scale[1] && this.scale[1] <= 1)) invalidOption('scale', this.scale, 'a range [low, high] within (0, 1]');
    if (!(this.ratio[0] > 0 && this.ratio[0] <= this.ratio[1])) invalidOption('ratio', this.ratio, 'a range [low, high] of positive numbers');
    this.p = probability(options.p, 1);
  }

  apply(image: HwcImage, random: SeededRandom): Promise<HwcImage> {
    const [top, left, h, w] = this.window(image.height, image.width, random);
    return resizePixels(cropImage(image, top, left, h, w), this.height, this.width);
  }

  /** The crop window [top, left, height, width] for an image of the given size. */
  window(height: number, width: number, random: SeededRandom): [number, number, number, number] {
    const area = height * width;
    const logRatio = [Math.log(this.ratio[0]), Math.log(this.ratio[1])];
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * uniform(random, this.scale[0], this.scale[1]);
      const aspect = Math.exp(uniform(random, logRatio[0], logRatio[1]));
      const w = Math.round(Math.sqrt(target * aspect));
      const h = Math.round(Math.sqrt(target / aspect));
      if (w > 0 && h > 0 && w <= width && h <= height) {
        return [random.nextInt(height - h + 1), random.nextInt(width - w + 1), h, w];
      }
    }
    // Fallback: the largest central crop within the ratio range.
    const imageRatio = width / height;
    let w = width;
    let h = height;
    if (imageRatio < this.ratio[0]) h = Math.round(w / this.ratio[0]);
    else if (imageRatio > this.ratio[1]) w = Math.round(h * this.ratio[1]);
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }
}
