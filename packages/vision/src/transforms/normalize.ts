import { invalidOption } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';
import { probability, type Transform } from './transform.js';

/** ImageNet channel means, RGB, on a 0..1 scale. */
export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations, RGB, on a 0..1 scale. */
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

export interface NormalizeOptions {
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  /** The pixel value that maps to 1 before the mean is taken off (default 255). */
  readonly maxPixelValue?: number;
  readonly p?: number;
}

/**
 * `(pixel / maxPixelValue - mean) / std` per channel, to float32, as `albumentations.Normalize`
 * (ImageNet mean and std by default).
 *
 * @example
 * new Compose([new Resize(64, 64), new Normalize(), new ToTensor()]);
 */
export class Normalize implements Transform {
  readonly p: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly maxPixelValue: number;

  constructor(options: NormalizeOptions = {}) {
    this.mean = options.mean ?? IMAGENET_MEAN;
    this.std = options.std ?? IMAGENET_STD;
    if (this.std.some((s) => !(s > 0))) invalidOption('std', this.std, 'positive numbers');
    if (this.mean.length !== this.std.length) invalidOption('mean', this.mean, `as many values as std (${this.std.length})`);
    this.maxPixelValue = options.maxPixelValue ?? 255;
    this.p = probability(options.p, 1);
  }

  apply(image: HwcImage): HwcImage {
    const c = image.channels;
    if (c !== this.mean.length) invalidOption('Normalize mean', this.mean, `${c} values, one per channel of the image`);
    const out = new Float32Array(image.data.length);
    const scale = this.std.map((s) => 1 / (s * this.maxPixelValue));
    const shift = this.mean.map((m, k) => m / this.std[k]);
    for (let i = 0; i < out.length; i++) {
      const k = i % c;
      out[i] = image.data[i] * scale[k] - shift[k];
    }
    return { data: out, height: image.height, width: image.width, channels: c };
  }
}
