import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CsvLogger, ModelCheckpoint, ProgressBar, TensorBoardLogger, Trainer } from '@strata/training';
import { MelanomaClassifier } from './melanoma-classifier.js';
import { prepareData } from './melanoma-data.js';
import { createModel } from './model-factory.js';
import { hasPretrainedWeights } from './model-names.js';
import { loadPretrained } from './pretrained-weights.js';
import { RunReport, type RunSummary } from './run-report.js';
import type { MelanomaSettings } from './settings.js';
import { chooseStrategy } from './strategy-choice.js';
import { drawTrainGrid } from './train-grid.js';

/**
 * One run of the example: picks and checks the strategy first (a precision or device count it
 * cannot run fails before any data is made), then the data (the Kaggle layout, or the embedded
 * synthetic set generated once into .strata/data), the model (optionally from pretrained
 * weights), and fits with the seed's `Epoch N | AUC: ...` line per epoch under the Trainer's
 * progress bar. Returns the run's summary (also in `summary.json`).
 */
export async function runMelanoma(settings: MelanomaSettings): Promise<RunSummary> {
  const started = performance.now();
  const { strategy, precision, notes } = await chooseStrategy(settings);
  notes.forEach((line) => console.log(line));
  const out = resolve(settings.out ?? join('runs', 'melanoma', new Date().toISOString().replace(/[:.]/g, '-')));
  mkdirSync(out, { recursive: true });

  const report = new RunReport(out, { model: settings.model, imageSize: settings.imageSize, batchSize: settings.batchSize });
  const trainer = new Trainer({
    strategy,
    maxEpochs: settings.maxEpochs,
    ...(settings.globalBatchSize === undefined
      ? { accumulateGradBatches: settings.accumulateGradBatches }
      : { globalBatchSize: settings.globalBatchSize, deviceBatchSize: settings.deviceBatchSize }),
    precision,
    numSanityValSteps: settings.numSanityValSteps,
    limitTrainBatches: settings.limitTrainBatches,
    limitValBatches: settings.limitValBatches,
    compileSteps: settings.compileSteps,
    defaultRootDir: out,
    logger: [new CsvLogger({ saveDir: out, name: '', version: '' }), new TensorBoardLogger({ saveDir: out, name: '', version: 'tensorboard' })],
    // The bar first: it clears its live line before the report prints the seed's epoch line.
    callbacks: [new ProgressBar({ epochLine: false }), report, new ModelCheckpoint({ dirpath: join(out, 'checkpoints'), monitor: 'val_auc', mode: 'max', saveLast: true })],
  });
  // Set up now: a server with fewer devices than asked for fails before the data is made.
  await trainer.setupStrategy();
  try {
    const device = strategy.describe();
    const devices = device.numReplicas > 1 ? ` x${device.numReplicas} devices` : '';
    console.log(`Strategy ${device.strategy} on ${device.engine}${devices}, precision ${precision}; model ${settings.model} at ${settings.imageSize}x${settings.imageSize}, ${settings.globalBatchSize === undefined ? `batch ${settings.batchSize}${settings.accumulateGradBatches > 1 ? ` (x${settings.accumulateGradBatches} accumulated)` : ''}` : `global batch ${settings.globalBatchSize}`}; run folder ${out}`);

    const data = await prepareData(settings);
    const { train, trainSet } = data;
    const { imageSize, seed } = settings;

    // A look at what the model sees: 16 augmented training images, melanomas marked "1".
    await drawTrainGrid(trainSet, train, seed, settings.onBadSample, join(out, 'train_grid.png'));
    report.countSkipsOf(data.trainLoader, data.valLoader);

    const model = strategy.scope(() => createModel(settings.model, imageSize, seed));
    if (settings.pretrained !== undefined && hasPretrainedWeights(settings.model)) {
      const { report: loaded, summary } = await loadPretrained(model, settings.pretrained, settings.model);
      console.log(summary);
      await writeFile(join(out, 'pretrained.json'), `${JSON.stringify(loaded, null, 2)}\n`);
    }
    const module = strategy.scope(() => new MelanomaClassifier(model, { learningRate: settings.lr, schedule: settings.lrSchedule, epochs: settings.maxEpochs }));
    try {
      await trainer.fit(module, data.trainLoader, data.valLoader);
    } finally {
      await Promise.all([data.trainLoader.close(), data.valLoader.close()]);
    }
    const s = report.summary!;
    const skipped = s.skippedSamples > 0 ? `, ${s.skippedSamples} image load${s.skippedSamples === 1 ? '' : 's'} skipped (--on-bad-sample skip)` : '';
    console.log(`Done: best validation AUC ${s.bestValAuc.toFixed(4)} (epoch ${s.bestEpoch}), ${s.meanStepMs} ms/step, ${s.imagesPerSecond} images/s${skipped}, ${((performance.now() - started) / 1000).toFixed(0)}s in all. Run folder: ${out}`);
    return s;
  } finally {
    await strategy.teardown();
  }
}
