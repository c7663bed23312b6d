import sharp from 'sharp';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { rocAuc } from '@strata/vision';
import { readMelanomaCsv, splitByFold } from './melanoma-csv.js';
import { MelanomaDataset } from './melanoma-dataset.js';
import { logisticRegressionScores } from './synthetic/logistic-baseline.js';
import { generateSyntheticDataset } from './synthetic/synthetic-dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'strata-melanoma-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded synthetic dataset', () => {
  const data = join(dir, 'synthetic');
  before(async () => {
    await generateSyntheticDataset(data, { count: 1000, positiveRate: 0.2, imageSize: 64, seed: 2020 });
  });

  it('has the Kaggle layout, the positive rate asked for, and patient-grouped folds', () => {
    const rows = readMelanomaCsv(join(data, 'train.csv'));
    assert.equal(rows.length, 1000);
    assert.equal(rows.filter((r) => r.target === 1).length, 200);
    for (let fold = 0; fold < 5; fold++) assert.doesNotThrow(() => splitByFold(rows, fold));
  });

  it('is calibrated: logistic regression on 16x16 pixels reaches at most 0.75 validation AUC', async () => {
    const rows = readMelanomaCsv(join(data, 'train.csv'));
    const features = await Promise.all(rows.map(async (r) => Float32Array.from(await sharp(join(data, 'train', `${r.imageName}.jpg`)).resize(16, 16).raw().toBuffer())));
    const train = { features: [] as Float32Array[], labels: [] as number[] };
    const val = { features: [] as Float32Array[], labels: [] as number[] };
    rows.forEach((r, i) => {
      const side = r.fold === 0 ? val : train;
      side.features.push(features[i]);
      side.labels.push(r.target);
    });
    const aucs = [0.1, 0.01, 0.001].map((l2) => rocAuc(val.labels, logisticRegressionScores(train, val, l2)));
    assert.ok(Math.max(...aucs) <= 0.75, `logistic regression AUCs ${aucs.map((a) => a.toFixed(3))}`);
    // And it is not broken: it does find something (the lesion-size cue).
    assert.ok(Math.max(...aucs) > 0.55, `logistic regression AUCs ${aucs.map((a) => a.toFixed(3))}`);
  });
});

describe('MelanomaDataset', () => {
  it('decodes, augments and normalises to [size, size, 3] float32, deterministic under a seed', async () => {
    const data = join(dir, 'small');
    await generateSyntheticDataset(data, { count: 10, imageSize: 48, positiveRate: 0.3 });
    const images = readMelanomaCsv(join(data, 'train.csv'));
    const set = new MelanomaDataset({ dataDir: data, images, split: 'train', imageSize: 32 });
    const a = await set.get(3, { seed: 5, epoch: 0 });
    const b = await set.get(3, { seed: 5, epoch: 0 });
    const c = await set.get(3, { seed: 6, epoch: 0 });
    const x = a.x as { data: Float32Array; shape: number[] };
    assert.deepEqual(x.shape, [32, 32, 3]);
    assert.ok(x.data instanceof Float32Array);
    assert.deepEqual(x.data, (b.x as { data: Float32Array }).data);
    assert.notDeepEqual(x.data, (c.x as { data: Float32Array }).data);
    assert.equal(a.y, images[3].target);
  });

  it("augment 'crop' is the seed's: a RandomCrop for training and a CenterCrop for validation, of the image resized to cropFrom", async () => {
    const data = join(dir, 'crops');
    await generateSyntheticDataset(data, { count: 10, imageSize: 64, positiveRate: 0.3 });
    const images = readMelanomaCsv(join(data, 'train.csv'));
    const pixels = async (path: string, side: number) => new Uint8Array(await sharp(path).resize(side, side, { fit: 'fill' }).removeAlpha().raw().toBuffer());
    const file = join(data, 'train', `${images[2].imageName}.jpg`);
    // cropFrom 40, crop 32: validation is the central 32x32 window, at offset (4, 4).
    const val = new MelanomaDataset({ dataDir: data, images, split: 'val', imageSize: 32, augment: 'crop', cropFrom: 40 });
    const resized = await pixels(file, 40);
    const central = new Uint8Array(32 * 32 * 3);
    for (let r = 0; r < 32; r++) central.set(resized.subarray(((r + 4) * 40 + 4) * 3, ((r + 4) * 40 + 36) * 3), r * 32 * 3);
    assert.deepEqual((await val.image(2, 0)).data, central);
    // Training crops move with the seed, and each is a 32x32 window of the same resized image.
    const train = new MelanomaDataset({ dataDir: data, images, split: 'train', imageSize: 32, augment: 'crop', cropFrom: 40 });
    const crops = await Promise.all([1, 2, 3, 4, 5].map((seed) => train.image(2, seed)));
    assert.ok(crops.every((c) => c.height === 32 && c.width === 32));
    assert.ok(new Set(crops.map((c) => Buffer.from(c.data).toString('base64'))).size > 1, 'random positions');
    // cropFrom defaults to the model size: the whole image, as the seed's 256 crop of 256x256 images.
    const whole = new MelanomaDataset({ dataDir: data, images, split: 'train', imageSize: 32, augment: 'crop' });
    assert.deepEqual((await whole.image(2, 9)).data, await pixels(file, 32));
  });

  it('names a truncated JPEG and a missing file', async () => {
    const data = join(dir, 'broken');
    mkdirSync(join(data, 'train'), { recursive: true });
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#a06040' } }).jpeg().toBuffer();
    writeFileSync(join(data, 'train', 'ISIC_cut.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    writeFileSync(join(data, 'train', 'ISIC_junk.jpg'), Buffer.from('this is not an image'));
    const set = new MelanomaDataset({ dataDir: data, images: [{ imageName: 'ISIC_cut', target: 0 }, { imageName: 'ISIC_gone', target: 1 }, { imageName: 'ISIC_junk', target: 0 }], split: 'val', imageSize: 32 });
    await assert.rejects(set.get(0), (e: unknown) => e instanceof StrataError && e.kind === 'data-error' && /Cannot decode image ".*ISIC_cut\.jpg"/.test(e.message));
    await assert.rejects(set.get(1), (e: unknown) => e instanceof StrataError && e.kind === 'data-error' && /ISIC_gone\.jpg" does not exist/.test(e.message));
    await assert.rejects(set.get(2), (e: unknown) => e instanceof StrataError && /ISIC_junk\.jpg/.test(e.message));
    assert.ok(readFileSync(join(data, 'train', 'ISIC_cut.jpg')).length > 0);
  });

  it('refuses an image over the pixel cap (decompression bombs)', async () => {
    const data = join(dir, 'bomb');
    mkdirSync(join(data, 'train'), { recursive: true });
    await sharp({ create: { width: 300, height: 300, channels: 3, background: '#fff' } }).png().toFile(join(data, 'train', 'ISIC_big.jpg'));
    const set = new MelanomaDataset({ dataDir: data, images: [{ imageName: 'ISIC_big', target: 0 }], split: 'val', imageSize: 32, maxPixels: 10000 });
    await assert.rejects(set.get(0), /ISIC_big\.jpg" has more than 10000 pixels/);
  });
});
