import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { imageHeaderSize } from './image-header-size.js';

function image(width: number, height: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 30 } } });
}

describe('imageHeaderSize (the browser decoder guard against decompression bombs)', () => {
  it('reads width and height from PNG and JPEG headers (baseline and progressive, with EXIF before the frame)', async () => {
    assert.deepEqual(imageHeaderSize(await image(37, 11).png().toBuffer()), { width: 37, height: 11 });
    assert.deepEqual(imageHeaderSize(await image(300, 200).jpeg().toBuffer()), { width: 300, height: 200 });
    assert.deepEqual(imageHeaderSize(await image(64, 48).jpeg({ progressive: true }).toBuffer()), { width: 64, height: 48 });
    assert.deepEqual(imageHeaderSize(await image(20, 30).withMetadata({ orientation: 6 }).jpeg().toBuffer()), { width: 20, height: 30 });
  });

  it('says nothing for another format or a header cut short', async () => {
    assert.equal(imageHeaderSize(await image(8, 8).webp().toBuffer()), undefined);
    assert.equal(imageHeaderSize((await image(8, 8).png().toBuffer()).subarray(0, 20)), undefined);
    assert.equal(imageHeaderSize((await image(8, 8).jpeg().toBuffer()).subarray(0, 6)), undefined);
    assert.equal(imageHeaderSize(Uint8Array.of(1, 2, 3)), undefined);
  });
});
