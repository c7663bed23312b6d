import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseSampleManifest } from './sample-manifest.js';

describe('parseSampleManifest', () => {
  const good = { imageSize: 32, train: [{ file: 'images/a.png', target: 1 }], val: [{ file: 'images/b.png', target: 0 }] };

  it('accepts a manifest as the build writes it', () => {
    assert.deepEqual(parseSampleManifest(good, 'labels.json'), good);
  });

  it('names the source and the wrong field, and says where a good manifest comes from', () => {
    assert.throws(() => parseSampleManifest(null, 'http://x/labels.json'), /http:\/\/x\/labels\.json is not a sample manifest: it is not a JSON object/);
    assert.throws(() => parseSampleManifest({ ...good, imageSize: 4 }, 'm'), /imageSize is 4/);
    assert.throws(() => parseSampleManifest({ ...good, val: [] }, 'm'), /"val" is not a non-empty list/);
    assert.throws(() => parseSampleManifest({ ...good, train: [{ file: 'a.png', target: 2 }] }, 'm'), /train\[0\]\.target is 2, not 0 or 1/);
    assert.throws(() => parseSampleManifest({ ...good, train: [{ target: 0 }] }, 'm'), (error: Error & { fix?: string }) => /train\[0\]\.file/.test(error.message) && /npm run browser/.test(String(error.fix)));
  });
});
