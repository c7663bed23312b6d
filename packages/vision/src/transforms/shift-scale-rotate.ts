import type { SeededRandom } from '@strata/core';
import { blankLike, type HwcImage } from '../image/hwc-image.js';
import { probability, uniform, type Transform } from './transform.js';

export interface ShiftScaleRotateOptions {
  /** Largest shift, as a fraction of the size, each way (default 0.0625). */
  readonly shiftLimit?: number;
  /** Largest relative zoom, each way: the scale is drawn from [1 - s, 1 + s] (default 0.1). */
  readonly scaleLimit?: number;
  /** Largest rotation in degrees, each way (default 45). */
  readonly rotateLimit?: number;
  readonly p?: number;
}

/**
 * A random affine transform about the image centre: shift, zoom and rotation, sampled with
 * bilinear interpolation and reflected borders (albumentations' default, BORDER_REFLECT_101),
 * so no black corners appear. Written here rather than with sharp's `affine`, which grows the
 * canvas and has no reflected border.
 *
 * @example
 * new Compose([new ShiftScaleRotate({ shiftLimit: 0.1, scaleLimit: 0.1, rotateLimit: 30, p: 0.5 })]);
 */
export class ShiftScaleRotate implements Transform {
  readonly p: number;
  readonly shiftLimit: number;
  readonly scaleLimit: number;
  readonly rotateLimit: number;

  constructor(options: ShiftScaleRotateOptions = {}) {
    this.shiftLimit = options.shiftLimit ?? 0.0625;
    this.scaleLimit = options.scaleLimit ?? 0.1;
    this.rotateLimit = options.rotateLimit ?? 45;
    this.p = probability(options.p, 0.5);
  }

  apply(image: HwcImage, random: SeededRandom): HwcImage {
    const angle = uniform(random, -this.rotateLimit, this.rotateLimit);
    const scale = uniform(random, 1 - this.scaleLimit, 1 + this.scaleLimit);
    const dx = uniform(random, -this.shiftLimit, this.shiftLimit);
    const dy = uniform(random, -this.shiftLimit, this.shiftLimit);
    return affine(image, angle, scale, dx * image.width, dy * image.height);
  }
}

/**
 * Rotates by `degrees` (counter-clockwise, as OpenCV), scales by `scale` about the centre, then
 * shifts by (dx, dy) pixels; each output pixel is sampled from the inverse-mapped position.
 */
export function affine(image: HwcImage, degrees: number, scale: number, dx: number, dy: number): HwcImage {
  const { height, width, channels: c } = image;
  const out = blankLike(image, height, width);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const rad = (degrees * Math.PI) / 180;
  const cos = Math.cos(rad) / scale;
  const sin = Math.sin(rad) / scale;
  const isByte = out.data instanceof Uint8Array;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Inverse map: undo the shift, then the rotation and scale, about the centre.
      const u = x - dx - cx;
      const v = y - dy - cy;
      const sx = cos * u - sin * v + cx;
      const sy = sin * u + cos * v + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const xa = reflect(x0, width);
      const xb = reflect(x0 + 1, width);
      const ya = reflect(y0, height);
      const yb = reflect(y0 + 1, height);
      const o = (y * width + x) * c;
      for (let k = 0; k < c; k++) {
        const top = image.data[(ya * width + xa) * c + k] * (1 - fx) + image.data[(ya * width + xb) * c + k] * fx;
        const bottom = image.data[(yb * width + xa) * c + k] * (1 - fx) + image.data[(yb * width + xb) * c + k] * fx;
        const value = top * (1 - fy) + bottom * fy;
        out.data[o + k] = isByte ? Math.round(value) : value;
      }
    }
  }
  return out;
}

/** Reflect-101 border: ... 2 1 | 0 1 2 ... n-1 | n-2 ... */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}
