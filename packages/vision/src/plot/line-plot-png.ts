import sharp from 'sharp';
import { linePlotSvg, type Panel } from './line-chart.js';

/**
 * Renders `linePlotSvg` to a PNG file with sharp (Node only: a browser build refuses it and
 * points at `linePlotSvg`).
 *
 * @example
 * await linePlotPng([{ title: 'loss', series: [{ name: 'train', values: [0.5, 0.3] }] }], 'curves.png');
 */
export async function linePlotPng(panels: readonly Panel[], path: string): Promise<void> {
  await sharp(Buffer.from(linePlotSvg(panels))).png().toFile(path);
}
