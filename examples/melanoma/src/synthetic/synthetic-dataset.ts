import sharp from 'sharp';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidOption } from '@strata/core';
import { SeededRandom } from '@strata/training';
import { drawPatient, renderLesion } from './lesion-renderer.js';

export interface SyntheticDatasetOptions {
  /** Images to generate (default 2000). */
  readonly count?: number;
  /** Fraction of melanomas (default 0.2; the real data has about 0.018). */
  readonly positiveRate?: number;
  /** Side of the square JPEGs (default 256, as "jpeg-melanoma-256x256"). */
  readonly imageSize?: number;
  /** Images per patient, on average (default 8). */
  readonly imagesPerPatient?: number;
  readonly seed?: number;
}

/** The columns of Kaggle's jpeg-melanoma-256x256 `train.csv`, which the synthetic set copies. */
export const TRAIN_CSV_COLUMNS = ['image_name', 'patient_id', 'sex', 'age_approx', 'anatom_site_general_challenge', 'diagnosis', 'benign_malignant', 'target', 'tfrecord'];

const SITES = ['torso', 'lower extremity', 'upper extremity', 'head/neck'];

/**
 * Writes a synthetic melanoma dataset in the layout of Kaggle's "jpeg-melanoma-256x256":
 * `train.csv` and `train/<image_name>.jpg`. Patients own several images and one skin tone; the
 * `tfrecord` column (0..14) is assigned per patient, so folds built from it are patient-grouped.
 * Seeded: the same options give the same files. A stamp makes a second call with the same
 * options a no-op. Returns `dir`.
 *
 * @example
 * const dir = await generateSyntheticDataset('.strata/data/melanoma', { count: 2000, positiveRate: 0.2 });
 */
export async function generateSyntheticDataset(dir: string, options: SyntheticDatasetOptions = {}): Promise<string> {
  const count = options.count ?? 2000;
  const positiveRate = options.positiveRate ?? 0.2;
  const size = options.imageSize ?? 256;
  const perPatient = options.imagesPerPatient ?? 8;
  const seed = options.seed ?? 2020;
  if (!Number.isInteger(count) || count < 10) invalidOption('count', count, 'an integer >= 10');
  if (!(positiveRate > 0 && positiveRate < 1)) invalidOption('positiveRate', positiveRate, 'a number in (0, 1)');
  if (!Number.isInteger(size) || size < 16) invalidOption('imageSize', size, 'an integer >= 16');

  // Bump `version` whenever the renderer changes, so cached datasets are regenerated.
  const stamp = JSON.stringify({ version: 2, count, positiveRate, size, perPatient, seed });
  const stampPath = join(dir, '.synthetic.json');
  if (existsSync(stampPath) && (await readFile(stampPath, 'utf8')) === stamp) return dir;
  await rm(join(dir, 'train'), { recursive: true, force: true });
  await mkdir(join(dir, 'train'), { recursive: true });

  const random = new SeededRandom(seed);
  const rows: string[] = [TRAIN_CSV_COLUMNS.join(',')];
  const patientCount = Math.max(5, Math.round(count / perPatient));
  const patients = Array.from({ length: patientCount }, (_, p) => ({
    id: `IP_${String(1000000 + p * 7919).slice(-7)}`,
    look: drawPatient(random),
    sex: random.next() < 0.5 ? 'male' : 'female',
    age: 25 + 5 * random.nextInt(12),
    fold: p % 15,
  }));
  // Exactly round(count * positiveRate) melanomas, at shuffled positions.
  const labels = random.shuffle(Array.from({ length: count }, (_, i) => (i < Math.round(count * positiveRate) ? 1 : 0)));
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const patient = patients[random.nextInt(patientCount)];
    const target = labels[i];
    const name = `ISIC_${String(9000000 + i).padStart(7, '0')}`;
    const pixels = renderLesion(size, target === 1, patient.look, new SeededRandom(seed * 100003 + i));
    pending.push(sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 92 }).toFile(join(dir, 'train', `${name}.jpg`)));
    if (pending.length >= 16) await Promise.all(pending.splice(0));
    const diagnosis = target === 1 ? 'melanoma' : 'nevus';
    rows.push([name, patient.id, patient.sex, patient.age, SITES[random.nextInt(SITES.length)], diagnosis, target === 1 ? 'malignant' : 'benign', target, patient.fold].join(','));
  }
  await Promise.all(pending);
  await writeFile(join(dir, 'train.csv'), `${rows.join('\n')}\n`);
  await writeFile(stampPath, stamp);
  return dir;
}
