// Strata's melanoma example: the seed article's LightningModule (a convnet, weighted focal
// loss, ROC-AUC per epoch) on the Kaggle "jpeg-melanoma-256x256" layout, or on an embedded
// synthetic dataset in the same layout when no --data-dir is given. `--strategy` is the only
// hardware knob: cpu, wasm, webgpu, cuda, tpu or auto.
//   npm run train                                   (embedded data, --strategy auto)
//   node examples/melanoma/dist/main.js --data-dir ~/jpeg-melanoma-256x256 --model efficientnet-b0 --image-size 256
//   node examples/melanoma/dist/main.js --strategy cuda --devices 2 --precision bf16-mixed   (data parallel over 2 GPUs)
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import '@strata/strategies';
import { invalidOption, runMain } from '@strata/core';
import { CsvLogger, DataLoader, ModelCheckpoint, TensorBoardLogger, Trainer } from '@strata/training';
import { makeGrid } from '@strata/vision';
import { MelanomaClassifier } from './melanoma-classifier.js';
import { readMelanomaCsv, splitByFold } from './melanoma-csv.js';
import { MelanomaDataset } from './melanoma-dataset.js';
import { MODELS, createModel } from './model-factory.js';
import { RunReport } from './run-report.js';
import { generateSyntheticDataset } from './synthetic/synthetic-dataset.js';

await runMain(async () => {
  const { values } = parseArgs({
    options: {
      strategy: { type: 'string' },
      // GPUs or TPU cores to train on, data parallel; --devices=-1 for all.
      devices: { type: 'string' },
      'data-dir': { type: 'string' },
      'image-size': { type: 'string', default: '64' },
      'batch-size': { type: 'string', default: '32' },
      'max-epochs': { type: 'string', default: '16' },
      'accumulate-grad-batches': { type: 'string', default: '1' },
      precision: { type: 'string', default: '32' },
      model: { type: 'string', default: 'small-cnn' },
      out: { type: 'string' },
      lr: { type: 'string', default: '0.003' },
      fold: { type: 'string', default: '0' },
      'num-workers': { type: 'string', default: '2' },
      'synthetic-count': { type: 'string', default: '2000' },
      'positive-rate': { type: 'string', default: '0.2' },
      seed: { type: 'string', default: '42' },
    },
  });
  const int = (name: keyof typeof values, min: number) => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) invalidOption(`--${name}`, values[name], `an integer >= ${min}`);
    return v;
  };
  const imageSize = int('image-size', 32);
  const batchSize = int('batch-size', 1);
  const seed = int('seed', 0);
  const devices = values.devices === undefined ? undefined : Number(values.devices);
  if (devices !== undefined && !(Number.isInteger(devices) && (devices >= 1 || devices === -1))) invalidOption('--devices', values.devices, 'an integer >= 1, or -1 for all');
  const modelName = values.model!;
  if (!(MODELS as readonly string[]).includes(modelName)) invalidOption('--model', modelName, MODELS.join(', '));
  const out = resolve(values.out ?? join('runs', 'melanoma', new Date().toISOString().replace(/[:.]/g, '-')));
  mkdirSync(out, { recursive: true });

  // Data: the Kaggle layout, or the embedded synthetic set generated once into .strata/data.
  const started = performance.now();
  let dataDir = values['data-dir'];
  if (dataDir === undefined) {
    const count = int('synthetic-count', 10);
    const positiveRate = Number(values['positive-rate']);
    dataDir = resolve('.strata', 'data', `melanoma-synthetic-${count}-${positiveRate}`);
    console.log(`No --data-dir: using the embedded synthetic dataset (${count} images, ${positiveRate * 100}% melanoma) in ${dataDir}`);
    await generateSyntheticDataset(dataDir, { count, positiveRate, seed: 2020 });
  }
  const csv = join(dataDir, 'train.csv');
  const { train, val } = splitByFold(readMelanomaCsv(csv), int('fold', 0), csv);
  const positives = (rows: typeof train) => rows.filter((r) => r.target === 1).length;
  console.log(`Data: ${train.length} training images (${positives(train)} melanoma), ${val.length} validation images (${positives(val)} melanoma), patient-grouped; ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);

  const trainSet = new MelanomaDataset({ dataDir, images: train, split: 'train', imageSize });
  const valSet = new MelanomaDataset({ dataDir, images: val, split: 'val', imageSize });
  const numWorkers = int('num-workers', 0);
  const trainLoader = new DataLoader(trainSet, { batchSize, shuffle: true, seed, dropLast: true, numWorkers });
  const valLoader = new DataLoader(valSet, { batchSize: 64, numWorkers });

  // A look at what the model sees: 16 augmented training images, melanomas marked "1".
  const shown = Array.from({ length: Math.min(16, train.length) }, (_, i) => i);
  const images = await Promise.all(shown.map((i) => trainSet.image(i, seed + i)));
  await makeGrid(images, { nrow: 8, labels: shown.map((i) => `${train[i].target}`) }, join(out, 'train_grid.png'));

  const report = new RunReport(out, { model: modelName, imageSize, batchSize });
  const trainer = new Trainer({
    strategy: values.strategy,
    devices,
    maxEpochs: int('max-epochs', 1),
    accumulateGradBatches: int('accumulate-grad-batches', 1),
    precision: values.precision as '32',
    defaultRootDir: out,
    logger: [new CsvLogger({ saveDir: out, name: '', version: '' }), new TensorBoardLogger({ saveDir: out, name: '', version: 'tensorboard' })],
    callbacks: [new ModelCheckpoint({ dirpath: join(out, 'checkpoints'), monitor: 'val_auc', mode: 'max', saveLast: true }), report],
    enableProgressBar: false,
  });
  const strategy = await trainer.setupStrategy();
  const device = strategy.describe();
  console.log(`Strategy ${device.strategy} on ${device.engine}; model ${modelName} at ${imageSize}x${imageSize}, batch ${batchSize}; run folder ${out}`);

  const maxEpochs = int('max-epochs', 1);
  const module = strategy.scope(() => new MelanomaClassifier(createModel(modelName, imageSize, seed), Number(values.lr), maxEpochs));
  try {
    await trainer.fit(module, trainLoader, valLoader);
  } finally {
    await Promise.all([trainLoader.close(), valLoader.close()]);
  }
  const s = report.summary!;
  console.log(`Done: best validation AUC ${s.bestValAuc.toFixed(4)} (epoch ${s.bestEpoch}), ${s.meanStepMs} ms/step, ${s.imagesPerSecond} images/s, ${((performance.now() - started) / 1000).toFixed(0)}s in all. Run folder: ${out}`);
  await strategy.teardown();
});
