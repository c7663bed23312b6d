import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { SeededRandom } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';
import { CenterCrop } from './center-crop.js';
import { ColorJitter } from './color-jitter.js';
import { Compose } from './compose.js';
import { HorizontalFlip } from './horizontal-flip.js';
import { Normalize } from './normalize.js';
import { RandomCrop } from './random-crop.js';
import { RandomResizedCrop } from './random-resized-crop.js';
import { RandomRotate90 } from './random-rotate90.js';
import { Resize } from './resize.js';
import { ShiftScaleRotate } from './shift-scale-rotate.js';
import { ToTensor } from './to-tensor.js';
import { Transpose } from './transpose.js';
import { VerticalFlip } from './vertical-flip.js';
import type { Transform } from './transform.js';

/** A height x width RGB image whose pixel (y, x) is (y, x, y * width + x mod 256): every pixel says where it was. */
function coordinateImage(height: number, width: number): HwcImage {
  const data = new Uint8Array(height * width * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([y, x, (y * width + x) % 256], (y * width + x) * 3);
  return { data, height, width, channels: 3 };
}
const at = (image: HwcImage, y: number, x: number) => Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));

const image = coordinateImage(12, 16);

describe('geometry', () => {
  it('HorizontalFlip moves (y, x) to (y, W-1-x)', () => {
    const out = new HorizontalFlip({ p: 1 }).apply(image);
    assert.deepEqual(at(out, 3, 0), at(image, 3, 15));
    assert.deepEqual(at(out, 5, 4), at(image, 5, 11));
  });

  it('VerticalFlip moves (y, x) to (H-1-y, x)', () => {
    const out = new VerticalFlip({ p: 1 }).apply(image);
    assert.deepEqual(at(out, 0, 7), at(image, 11, 7));
  });

  it('Transpose swaps the axes', () => {
    const out = new Transpose({ p: 1 }).apply(image);
    assert.deepEqual([out.height, out.width], [16, 12]);
    assert.deepEqual(at(out, 9, 2), at(image, 2, 9));
  });

  it('RandomRotate90 by one quarter turns counter-clockwise, four quarters is the identity', () => {
    const r = new RandomRotate90({ p: 1 });
    const once = r.rotate(image, 1);
    assert.deepEqual([once.height, once.width], [16, 12]);
    // np.rot90: out[i, j] = in[j, W-1-i]
    assert.deepEqual(at(once, 0, 0), at(image, 0, 15));
    assert.deepEqual(at(once, 15, 11), at(image, 11, 0));
    let full = image;
    for (let k = 0; k < 4; k++) full = r.rotate(full, 1);
    assert.deepEqual(full.data, image.data);
  });

  it('CenterCrop takes the central window', () => {
    const out = new CenterCrop(4, 6).apply(image);
    assert.deepEqual([out.height, out.width], [4, 6]);
    assert.deepEqual(at(out, 0, 0), at(image, 4, 5));
  });

  it('RandomCrop takes a window of the image, the same for the same seed', () => {
    const crop = new RandomCrop(5, 5);
    const a = crop.apply(image, new SeededRandom(3));
    const [y0, x0] = at(a, 0, 0);
    assert.deepEqual(at(a, 4, 4), at(image, y0 + 4, x0 + 4));
    assert.deepEqual(crop.apply(image, new SeededRandom(3)).data, a.data);
    assert.throws(() => new RandomCrop(13, 5).apply(image, new SeededRandom(1)), /RandomCrop of 13x5 does not fit in an image of 12x16/);
  });

  it('RandomResizedCrop picks a window within the scale and ratio limits', () => {
    const t = new RandomResizedCrop(8, 8, { scale: [0.3, 0.6], ratio: [0.75, 1.33] });
    for (let s = 0; s < 20; s++) {
      const [top, left, h, w] = t.window(120, 160, new SeededRandom(s));
      assert.ok(top >= 0 && left >= 0 && top + h <= 120 && left + w <= 160);
      const area = (h * w) / (120 * 160);
      assert.ok(area > 0.28 && area < 0.62, `area ${area}`);
      assert.ok(w / h > 0.7 && w / h < 1.4, `ratio ${w / h}`);
    }
  });

  it('ShiftScaleRotate with no change is the identity, and a 180-degree turn is both flips', () => {
    const still = new ShiftScaleRotate({ shiftLimit: 0, scaleLimit: 0, rotateLimit: 0, p: 1 }).apply(image, new SeededRandom(1));
    assert.deepEqual(still.data, image.data);
  });
});

describe('every transform', () => {
  const cases: [string, Transform, number[]][] = [
    ['Resize', new Resize(6, 8), [6, 8, 3]],
    ['RandomResizedCrop', new RandomResizedCrop(7, 7), [7, 7, 3]],
    ['RandomCrop', new RandomCrop(6, 6), [6, 6, 3]],
    ['CenterCrop', new CenterCrop(6, 6), [6, 6, 3]],
    ['HorizontalFlip', new HorizontalFlip({ p: 1 }), [12, 16, 3]],
    ['VerticalFlip', new VerticalFlip({ p: 1 }), [12, 16, 3]],
    ['Transpose', new Transpose({ p: 1 }), [16, 12, 3]],
    ['ShiftScaleRotate', new ShiftScaleRotate({ p: 1 }), [12, 16, 3]],
    ['ColorJitter', new ColorJitter({ p: 1, hue: 0.1 }), [12, 16, 3]],
    ['Normalize', new Normalize(), [12, 16, 3]],
    ['ToTensor', new ToTensor(), [12, 16, 3]],
  ];
  for (const [name, transform, shape] of cases) {
    it(`${name}: output shape ${shape.join('x')}, deterministic under a seed`, async () => {
      const a = await new Compose([transform]).run(image, 11);
      const b = await new Compose([transform]).run(image, 11);
      assert.deepEqual([a.height, a.width, a.channels], shape);
      assert.equal(a.data.length, shape[0] * shape[1] * shape[2]);
      assert.deepEqual(a.data, b.data);
    });
  }

  it('random transforms differ across seeds', async () => {
    const t = new Compose([new ShiftScaleRotate({ p: 1 }), new ColorJitter({ p: 1 })]);
    assert.notDeepEqual((await t.run(image, 1)).data, (await t.run(image, 2)).data);
  });

  it('Compose applies a transform with probability p', async () => {
    const flips = await Promise.all(Array.from({ length: 400 }, (_, s) => new Compose([new HorizontalFlip({ p: 0.3 })]).run(image, s)));
    const flipped = flips.filter((f) => f.data[0] !== image.data[0] || f.data[1] !== image.data[1]).length;
    assert.ok(flipped > 90 && flipped < 150, `${flipped} of 400`);
  });

  it('Normalize uses the ImageNet mean and std by default', () => {
    const pixel: HwcImage = { data: Uint8Array.of(255, 0, 128), height: 1, width: 1, channels: 3 };
    const out = new Normalize().apply(pixel);
    const expected = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225];
    out.data.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-5));
  });

  it('ColorJitter with factors of 1 and no hue keeps the image', async () => {
    const out = new ColorJitter({ brightness: 0, contrast: 0, saturation: 0, hue: 0, p: 1 }).apply(image, new SeededRandom(1));
    assert.deepEqual(out.data, image.data);
  });
});
