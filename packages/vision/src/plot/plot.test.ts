import sharp from 'sharp';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { HwcImage } from '../image/hwc-image.js';
import { linePlotSvg } from './line-chart.js';
import { makeGrid } from './make-grid.js';

const solid = (r: number, g: number, b: number, size = 10): HwcImage => {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.set([r, g, b], i * 3);
  return { data, height: size, width: size, channels: 3 };
};

describe('makeGrid', () => {
  it('lays images out in rows of nrow with padding, as a PNG', async () => {
    const images = [solid(255, 0, 0), solid(0, 255, 0), solid(0, 0, 255)];
    const png = await makeGrid(images, { nrow: 2, padding: 2 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.format], [2 * 12 + 2, 2 * 12 + 2, 'raw']);
    const px = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    assert.deepEqual(px(5, 5), [255, 0, 0]); // first image, top left
    assert.deepEqual(px(17, 5), [0, 255, 0]); // second, top right
    assert.deepEqual(px(5, 17), [0, 0, 255]); // third, second row
    assert.deepEqual(px(1, 1), [255, 255, 255]); // padding
  });

  it('scales float images (normalised tensors) to 0..255', async () => {
    const image: HwcImage = { data: Float32Array.from({ length: 12 }, (_, i) => (i < 6 ? -2 : 3)), height: 2, width: 2, channels: 3 };
    const { data } = await sharp(await makeGrid([image], { padding: 0 })).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([data[0], data[11]], [0, 255]);
  });
});

describe('linePlotSvg', () => {
  it('draws one polyline per series, through every point, and renders with sharp', async () => {
    const svg = linePlotSvg([{ title: 'AUC', series: [{ name: 'val', values: [0.5, 0.7, 0.9] }], yRange: [0.5, 1] }]);
    const line = /<polyline[^>]*points="([^"]+)"/.exec(svg);
    assert.ok(line);
    const points = line[1].split(' ').map((p) => p.split(',').map(Number));
    assert.equal(points.length, 3);
    // y grows downwards: the rising AUC gives falling y values; 0.5 sits on the bottom axis.
    assert.ok(points[0][1] > points[1][1] && points[1][1] > points[2][1]);
    const meta = await sharp(Buffer.from(svg)).png().metadata();
    assert.equal(meta.format, 'svg');
  });
});
