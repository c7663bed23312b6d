import { StrataError } from '@strata/core';
import type { HwcImage } from './hwc-image.js';

/** The 2D context of a fresh `OffscreenCanvas` of this size; a clear error where there is none. */
export function offscreenContext(width: number, height: number): OffscreenCanvasRenderingContext2D {
  if (typeof OffscreenCanvas !== 'function') {
    throw new StrataError('unsupported-option', 'This JavaScript environment has no OffscreenCanvas, which image decoding and resizing use in a browser.', {
      value: typeof OffscreenCanvas,
      fix: 'use a current browser (OffscreenCanvas is in Chrome, Edge, Firefox and Safari 16.4+), or decode in Node.',
    });
  }
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (context === null) throw new StrataError('unsupported-option', 'The browser gave no 2D context for an OffscreenCanvas.', { fix: 'use a current browser.' });
  return context;
}

/** Draws `bitmap` at its own size and reads its pixels as an HWC uint8 image of `channels` (1 to 4). */
export function bitmapPixels(bitmap: ImageBitmap, channels: number): HwcImage {
  const { width, height } = bitmap;
  const context = offscreenContext(width, height);
  context.drawImage(bitmap, 0, 0);
  return fromRgba(context.getImageData(0, 0, width, height).data, width, height, channels);
}

/** RGBA bytes (canvas order) as an HWC image of `channels`: grey is the red channel; 2 is grey and alpha. */
export function fromRgba(rgba: Uint8ClampedArray, width: number, height: number, channels: number): HwcImage {
  const pixels = width * height;
  const data = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const s = p * 4;
    const d = p * channels;
    if (channels === 1) data[d] = rgba[s];
    else if (channels === 2) {
      data[d] = rgba[s];
      data[d + 1] = rgba[s + 3];
    } else {
      data[d] = rgba[s];
      data[d + 1] = rgba[s + 1];
      data[d + 2] = rgba[s + 2];
      if (channels === 4) data[d + 3] = rgba[s + 3];
    }
  }
  return { data, height, width, channels };
}

/** A uint8 HWC image (1 to 4 channels) as canvas `ImageData` (RGBA; opaque where it has no alpha). */
export function toImageData(image: HwcImage & { data: Uint8Array }): ImageData {
  const { width, height, channels, data } = image;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const d = p * 4;
    const grey = channels <= 2;
    rgba[d] = data[s];
    rgba[d + 1] = grey ? data[s] : data[s + 1];
    rgba[d + 2] = grey ? data[s] : data[s + 2];
    rgba[d + 3] = channels === 2 ? data[s + 1] : channels === 4 ? data[s + 3] : 255;
  }
  return new ImageData(rgba, width, height);
}
