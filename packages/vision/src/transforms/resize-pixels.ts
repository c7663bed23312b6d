import sharp from 'sharp';
import { StrataError } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';

/**
 * Resizes a uint8 image with sharp (libvips, Lanczos-3 for shrinking, as PIL's antialiased
 * resize). Float images are refused: resizing belongs before `Normalize`.
 */
export async function resizePixels(image: HwcImage, height: number, width: number): Promise<HwcImage> {
  if (image.height === height && image.width === width) return image;
  if (!(image.data instanceof Uint8Array)) {
    throw new StrataError('bad-input', 'Resizing a float32 image: geometric transforms run on uint8 pixels.', {
      fix: 'put Resize, RandomResizedCrop and crops before Normalize and ToTensor in the Compose list.',
    });
  }
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), height: info.height, width: info.width, channels: info.channels };
}
