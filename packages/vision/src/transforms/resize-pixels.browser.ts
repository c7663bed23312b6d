import { StrataError } from '@strata/core';
import { bitmapPixels, toImageData } from '../image/canvas-pixels.js';
import type { HwcImage } from '../image/hwc-image.js';

/**
 * Resizes a uint8 image with the browser's high-quality image scaling (`createImageBitmap` with
 * `resizeQuality: 'high'`), the browser twin of the sharp (Lanczos-3) resize: close, not
 * bit-identical. Float images are refused: resizing belongs before `Normalize`.
 */
export async function resizePixels(image: HwcImage, height: number, width: number): Promise<HwcImage> {
  if (image.height === height && image.width === width) return image;
  if (!(image.data instanceof Uint8Array)) {
    throw new StrataError('bad-input', 'Resizing a float32 image: geometric transforms run on uint8 pixels.', {
      fix: 'put Resize, RandomResizedCrop and crops before Normalize and ToTensor in the Compose list.',
    });
  }
  const bitmap = await createImageBitmap(toImageData(image as HwcImage & { data: Uint8Array }), {
    premultiplyAlpha: 'none',
    resizeWidth: width,
    resizeHeight: height,
    resizeQuality: 'high',
  });
  try {
    return bitmapPixels(bitmap, image.channels);
  } finally {
    bitmap.close();
  }
}
