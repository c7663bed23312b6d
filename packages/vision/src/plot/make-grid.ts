import { invalidOption } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';
import { encodeGridPng } from './grid-png.js';

export { escapeXml } from './escape-xml.js';

export interface MakeGridOptions {
  /** Images per row (default 8, as torchvision). */
  readonly nrow?: number;
  /** Pixels between images (default 2). */
  readonly padding?: number;
  /**
   * Float images are min-max scaled to 0..255 each (torchvision's `normalize=True`), so
   * normalised tensors show as pictures. uint8 images are drawn as they are.
   */
  readonly labels?: readonly (string | number)[];
}

/**
 * Lays out same-size RGB images in a grid and writes it as a PNG (torchvision's `make_grid` +
 * `save_image`). Returns the PNG bytes; writes them to `path` when given (Node only: a browser
 * build encodes on a canvas and returns the bytes).
 *
 * @example
 * await makeGrid(images, { nrow: 8 }, 'runs/melanoma/train_grid.png');
 */
export async function makeGrid(images: readonly HwcImage[], options: MakeGridOptions = {}, path?: string): Promise<Uint8Array> {
  if (images.length === 0) invalidOption('images', images, 'at least one image');
  const { height, width, channels } = images[0];
  if (channels !== 3) invalidOption('image channels', channels, '3 (RGB)');
  const nrow = Math.min(options.nrow ?? 8, images.length);
  const pad = options.padding ?? 2;
  const rows = Math.ceil(images.length / nrow);
  const gridW = nrow * (width + pad) + pad;
  const gridH = rows * (height + pad) + pad;
  const grid = new Uint8Array(gridW * gridH * 3).fill(255);
  images.forEach((image, n) => {
    if (image.height !== height || image.width !== width) invalidOption(`images[${n}] size`, [image.height, image.width], `${height}x${width}, as images[0]`);
    const pixels = toBytes(image);
    const top = pad + Math.floor(n / nrow) * (height + pad);
    const left = pad + (n % nrow) * (width + pad);
    for (let y = 0; y < height; y++) grid.set(pixels.subarray(y * width * 3, (y + 1) * width * 3), ((top + y) * gridW + left) * 3);
  });
  const labels = options.labels?.map((label, n) => ({
    x: pad + (n % nrow) * (width + pad) + 3,
    y: pad + Math.floor(n / nrow) * (height + pad) + 12,
    text: String(label),
  }));
  return encodeGridPng(grid, gridW, gridH, labels, path);
}

function toBytes(image: HwcImage): Uint8Array {
  if (image.data instanceof Uint8Array) return image.data;
  let min = Infinity;
  let max = -Infinity;
  for (const v of image.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = max > min ? 255 / (max - min) : 0;
  return Uint8Array.from(image.data, (v) => Math.round((v - min) * scale));
}
