import { StrataError } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';

/** Fails with the sizes when a crop is larger than its image. */
export function assertCropFits(name: string, image: HwcImage, height: number, width: number): void {
  if (height > image.height || width > image.width) {
    throw new StrataError('bad-input', `${name} of ${height}x${width} does not fit in an image of ${image.height}x${image.width}.`, {
      value: [image.height, image.width],
      fix: `resize to at least ${height}x${width} first, or crop smaller.`,
    });
  }
}
