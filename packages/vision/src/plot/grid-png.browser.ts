import { StrataError, quote } from '@strata/core';
import { offscreenContext } from '../image/canvas-pixels.js';
import type { GridLabel } from './grid-png.js';

export type { GridLabel };

/**
 * Encodes RGB grid pixels as a PNG on an `OffscreenCanvas`, the labels drawn as canvas text:
 * the browser twin of the sharp encoder. A page writes no files, so `path` is refused.
 */
export async function encodeGridPng(rgb: Uint8Array, width: number, height: number, labels: readonly GridLabel[] | undefined, path?: string): Promise<Uint8Array> {
  if (path !== undefined) {
    throw new StrataError('unsupported-option', `makeGrid cannot write ${quote(path)}: a browser page has no file system.`, {
      value: path,
      fix: 'leave the path out and use the PNG bytes makeGrid returns (e.g. as a Blob URL in an <img>).',
    });
  }
  const context = offscreenContext(width, height);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  context.putImageData(new ImageData(rgba, width, height), 0, 0);
  if (labels) {
    context.font = '11px sans-serif';
    context.fillStyle = '#fff';
    context.strokeStyle = '#000';
    context.lineWidth = 0.6;
    for (const { x, y, text } of labels) {
      context.fillText(text, x, y);
      context.strokeText(text, x, y);
    }
  }
  const blob = await context.canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}
