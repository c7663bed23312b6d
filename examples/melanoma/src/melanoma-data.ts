import { join, resolve } from 'node:path';
import type { DataLoader } from '@strata/training';
import { trainLoader, valLoader } from './loaders.js';
import { readMelanomaCsv, splitByFold, type MelanomaRow } from './melanoma-csv.js';
import { MelanomaDataset } from './melanoma-dataset.js';
import type { MelanomaSettings } from './settings.js';
import { generateSyntheticDataset } from './synthetic/synthetic-dataset.js';

/** A run's data: the patient-grouped split, the training dataset (for grids) and both loaders. */
export interface MelanomaData {
  readonly train: readonly MelanomaRow[];
  readonly val: readonly MelanomaRow[];
  readonly trainSet: MelanomaDataset;
  readonly trainLoader: DataLoader;
  readonly valLoader: DataLoader;
}

/**
 * The Kaggle layout in `--data-dir`, or the embedded synthetic set generated once into
 * .strata/data; split on the validation fold (every image once: a batch that does not split
 * evenly over the devices is padded by the strategy); datasets with the chosen augmentations;
 * loaders. Prints what it uses.
 */
export async function prepareData(settings: MelanomaSettings): Promise<MelanomaData> {
  const started = performance.now();
  let dataDir = settings.dataDir;
  if (dataDir === undefined) {
    const { syntheticCount: count, positiveRate } = settings;
    dataDir = resolve('.strata', 'data', `melanoma-synthetic-${count}-${positiveRate}`);
    console.log(`No --data-dir: using the embedded synthetic dataset (${count} images, ${positiveRate * 100}% melanoma) in ${dataDir}`);
    await generateSyntheticDataset(dataDir, { count, positiveRate, seed: 2020 });
  }
  const csv = join(dataDir, 'train.csv');
  const { train, val } = splitByFold(readMelanomaCsv(csv), settings.fold, csv);
  const positives = (rows: readonly MelanomaRow[]) => rows.filter((r) => r.target === 1).length;
  console.log(`Data: ${train.length} training images (${positives(train)} melanoma), ${val.length} validation images (${positives(val)} melanoma), patient-grouped; ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);

  const { imageSize, augment, cropFrom } = settings;
  const trainSet = new MelanomaDataset({ dataDir, images: train, split: 'train', imageSize, augment, cropFrom });
  const valSet = new MelanomaDataset({ dataDir, images: val, split: 'val', imageSize, augment, cropFrom });
  if (settings.balancedSampler) console.log('Balanced sampler: training images drawn with replacement, melanoma and benign equally often.');
  return {
    train,
    val,
    trainSet,
    trainLoader: trainLoader(trainSet, train.map((r) => r.target), settings),
    valLoader: valLoader(valSet, settings),
  };
}
