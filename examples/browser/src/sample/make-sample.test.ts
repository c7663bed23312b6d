import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { makeSample } from './make-sample.js';

describe('makeSample', () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-browser-sample-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('writes PNGs of the asked size and a manifest with the asked class balance, the same bytes on every run', async () => {
    const options = { trainCount: 12, valCount: 8, imageSize: 16, positiveRate: 0.25 };
    const first = await makeSample(join(root, 'a'), options);
    const second = await makeSample(join(root, 'b'), options);
    assert.deepEqual(first, second);
    assert.equal(first.train.length, 12);
    assert.equal(first.val.length, 8);
    assert.equal(first.train.filter((r) => r.target === 1).length, 3);
    assert.equal(first.val.filter((r) => r.target === 1).length, 2);
    for (const row of [...first.train, ...first.val]) {
      assert.deepEqual(readFileSync(join(root, 'a', row.file)), readFileSync(join(root, 'b', row.file)), row.file);
    }
    const meta = await sharp(join(root, 'a', first.train[0].file)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 16, 16, 3]);
    // Melanomas and naevi are drawn differently: the images of the two classes are not alike.
    const raw = (file: string) => sharp(join(root, 'a', file)).raw().toBuffer();
    assert.notDeepEqual(await raw(first.train[0].file), await raw(first.train[1].file));
  });

  it('finds its stamp and rewrites nothing for the same options, and rebuilds for others', async () => {
    const dir = join(root, 'c');
    const options = { trainCount: 4, valCount: 4, imageSize: 16 };
    const made = await makeSample(dir, options);
    const file = join(dir, made.train[0].file);
    const written = statSync(file).mtimeMs;
    assert.deepEqual(await makeSample(dir, options), made);
    assert.equal(statSync(file).mtimeMs, written);
    const bigger = await makeSample(dir, { ...options, imageSize: 20 });
    assert.equal(bigger.imageSize, 20);
    assert.equal((await sharp(join(dir, bigger.train[0].file)).metadata()).width, 20);
  });

  it('refuses a size or a count it cannot make, naming the value', async () => {
    await assert.rejects(makeSample(join(root, 'd'), { imageSize: 8 }), /imageSize.*8/s);
    await assert.rejects(makeSample(join(root, 'd'), { trainCount: 2.5 }), /trainCount.*2\.5/s);
    await assert.rejects(makeSample(join(root, 'd'), { positiveRate: 1 }), /positiveRate/);
  });
});
