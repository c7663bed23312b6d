import sharp from 'sharp';
import { escapeXml } from './escape-xml.js';

/** A caption drawn on the grid: its text and the baseline's left end, in pixels. */
export interface GridLabel {
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

/**
 * Encodes RGB grid pixels as a PNG with sharp, the labels drawn through an SVG overlay, and
 * writes it to `path` when given. A browser build swaps this file for the canvas twin.
 */
export async function encodeGridPng(rgb: Uint8Array, width: number, height: number, labels: readonly GridLabel[] | undefined, path?: string): Promise<Uint8Array> {
  let png = sharp(rgb, { raw: { width, height, channels: 3 } });
  if (labels) {
    const marks = labels.map(
      ({ x, y, text }) => `<text x="${x}" y="${y}" font-family="sans-serif" font-size="11" fill="#fff" stroke="#000" stroke-width="0.6">${escapeXml(text)}</text>`,
    );
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${marks.join('')}</svg>`;
    png = sharp(await png.png().toBuffer()).composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
  }
  const bytes = await png.png().toBuffer();
  if (path) await sharp(bytes).toFile(path);
  return bytes;
}
