import sharp from 'sharp';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { decodeImage } from './decode-image.js';

describe('decodeImage', () => {
  it('decodes JPEG and PNG to HWC uint8 RGB, dropping alpha', async () => {
    const png = await sharp({ create: { width: 5, height: 3, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } }).png().toBuffer();
    const image = await decodeImage(png);
    assert.deepEqual([image.height, image.width, image.channels], [3, 5, 3]);
    assert.ok(image.data instanceof Uint8Array);
    const jpeg = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const decoded = await decodeImage(jpeg, { resizeTo: { height: 3, width: 4 } });
    assert.deepEqual([decoded.height, decoded.width], [3, 4]);
    assert.ok(Math.abs(decoded.data[0] - 128) <= 2);
  });

  it('rejects a truncated JPEG, a missing file and an oversized image, naming them', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#a06040' } }).jpeg().toBuffer();
    const isData = (pattern: RegExp) => (e: unknown) => e instanceof StrataError && e.kind === 'data-error' && pattern.test(e.message);
    await assert.rejects(decodeImage(jpeg.subarray(0, jpeg.length - 40)), isData(/Cannot decode image "<\d+ bytes>"/));
    await assert.rejects(decodeImage('/nonexistent/ISIC_0000.jpg'), isData(/"\/nonexistent\/ISIC_0000\.jpg" does not exist/));
    await assert.rejects(decodeImage(jpeg, { maxPixels: 1000 }), isData(/more than 1000 pixels/));
  });
});
