import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { invalidOption } from '@strata/core';
import { drawPatient, renderLesion } from '@strata/example-melanoma/synthetic/lesion-renderer';
import { SeededRandom } from '@strata/training';
import { MANIFEST_FILE, type SampleImage, type SampleManifest } from '../run/sample-manifest.js';

export interface SampleOptions {
  /** Training images (default 96). */
  readonly trainCount?: number;
  /** Validation images (default 32). */
  readonly valCount?: number;
  /** Side of the square PNGs (default 32). */
  readonly imageSize?: number;
  /** Fraction of melanomas in each split (default 0.25). */
  readonly positiveRate?: number;
  readonly seed?: number;
}

/**
 * Writes a small sample of the melanoma example's synthetic dataset into `dir`: lesions drawn by
 * its renderer, saved as lossless PNGs (so the page and Node decode the same pixels), and
 * `labels.json` listing both splits in a fixed order. Seeded: the same options write the same
 * bytes; a second call with the same options finds its stamp and writes nothing. Returns the
 * manifest.
 */
export async function makeSample(dir: string, options: SampleOptions = {}): Promise<SampleManifest> {
  const trainCount = options.trainCount ?? 96;
  const valCount = options.valCount ?? 32;
  const imageSize = options.imageSize ?? 32;
  const positiveRate = options.positiveRate ?? 0.25;
  const seed = options.seed ?? 2020;
  if (!Number.isInteger(trainCount) || trainCount < 4) invalidOption('trainCount', trainCount, 'an integer >= 4');
  if (!Number.isInteger(valCount) || valCount < 4) invalidOption('valCount', valCount, 'an integer >= 4');
  if (!Number.isInteger(imageSize) || imageSize < 16) invalidOption('imageSize', imageSize, 'an integer >= 16');
  if (!(positiveRate > 0 && positiveRate < 1)) invalidOption('positiveRate', positiveRate, 'a number in (0, 1)');

  const manifestPath = join(dir, MANIFEST_FILE);
  const stampPath = join(dir, '.sample.json');
  const stamp = JSON.stringify({ version: 1, trainCount, valCount, imageSize, positiveRate, seed });
  if (existsSync(stampPath) && existsSync(manifestPath) && (await readFile(stampPath, 'utf8')) === stamp) {
    return JSON.parse(await readFile(manifestPath, 'utf8')) as SampleManifest;
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'images'), { recursive: true });

  const random = new SeededRandom(seed);
  const patients = Array.from({ length: 12 }, () => drawPatient(random));
  // Each split holds exactly round(count * positiveRate) melanomas, at shuffled positions.
  const labels = (count: number) => random.shuffle(Array.from({ length: count }, (_, i) => (i < Math.round(count * positiveRate) ? 1 : 0) as 0 | 1));
  let next = 0;
  const split = async (name: string, count: number): Promise<SampleImage[]> => {
    const rows: SampleImage[] = [];
    for (const target of labels(count)) {
      const index = next++;
      const file = `images/${name}-${String(index).padStart(4, '0')}.png`;
      const patient = patients[random.nextInt(patients.length)];
      const pixels = renderLesion(imageSize, target === 1, patient, new SeededRandom(seed * 100003 + index));
      await sharp(pixels, { raw: { width: imageSize, height: imageSize, channels: 3 } }).png().toFile(join(dir, file));
      rows.push({ file, target });
    }
    return rows;
  };
  const manifest: SampleManifest = { imageSize, train: await split('train', trainCount), val: await split('val', valCount) };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  await writeFile(stampPath, stamp);
  return manifest;
}
