import type { DistributionStrategy } from '@strata/core';
import { MelanomaClassifier } from '@strata/example-melanoma/classifier';
import { createModel } from '@strata/example-melanoma/model-factory';
import { DataLoader, ModelCheckpoint, Trainer, type Callback, type Logger } from '@strata/training';
import type { HwcImage } from '@strata/vision';
import { SampleDataset } from './sample-dataset.js';

/** The run's fixed recipe: the same in the page and in Node, so their losses can be compared. */
export const RUN_RECIPE = {
  model: 'small-cnn',
  batchSize: 16,
  seed: 42,
  learningRate: 0.003,
} as const;

/** The decoded sample: images and labels of both splits, in the manifest's order. */
export interface DecodedSample {
  readonly imageSize: number;
  readonly train: { readonly images: readonly HwcImage[]; readonly targets: readonly number[] };
  readonly val: { readonly images: readonly HwcImage[]; readonly targets: readonly number[] };
}

export interface BrowserRunOptions {
  readonly strategy: DistributionStrategy;
  readonly sample: DecodedSample;
  readonly maxEpochs: number;
  /** Optimizer steps after which training stops (default: none; the epochs decide). */
  readonly maxSteps?: number;
  /** Training batches per epoch, the first ones of each epoch's order (default: all). */
  readonly limitTrainBatches?: number;
  /** Loggers (an `InPageLogger` for the chart) and callbacks (epoch lines, the stop button). */
  readonly loggers?: readonly Logger[];
  readonly callbacks?: readonly Callback[];
  /** Where `last.ckpt` goes, saved every `checkpointEveryNSteps` optimizer steps and at each epoch end; none when undefined. */
  readonly checkpoint?: { readonly dir: string; readonly everyNSteps: number };
}

/** A prepared run: `fit` trains from the start, or with `resume` from the last checkpoint where there is one. */
export interface BrowserRun {
  readonly trainer: Trainer;
  readonly module: MelanomaClassifier;
  fit(resume: boolean): Promise<void>;
}

/**
 * The melanoma example's small CNN and `MelanomaClassifier` (weighted focal loss, Adam with the
 * cosine schedule) on the decoded sample: shuffled training batches in a seeded order, every
 * validation image once per epoch, the loss sent to the loggers at every step. Sets the
 * strategy up (the model is made in its scope).
 */
export async function prepareBrowserRun(options: BrowserRunOptions): Promise<BrowserRun> {
  const { strategy, sample, maxEpochs, checkpoint } = options;
  const { batchSize, seed, learningRate, model: modelName } = RUN_RECIPE;
  const callbacks: Callback[] = [...(options.callbacks ?? [])];
  if (checkpoint) callbacks.push(new ModelCheckpoint({ dirpath: checkpoint.dir, saveTopK: 0, saveLast: true, everyNTrainSteps: checkpoint.everyNSteps, everyNEpochs: 1 }));
  const trainer = new Trainer({
    strategy,
    maxEpochs,
    maxSteps: options.maxSteps ?? -1,
    ...(options.limitTrainBatches !== undefined ? { limitTrainBatches: options.limitTrainBatches } : {}),
    numSanityValSteps: 0,
    enableProgressBar: false,
    logEveryNSteps: 1,
    logger: [...(options.loggers ?? [])],
    callbacks,
  });
  await trainer.setupStrategy();
  const model = strategy.scope(() => createModel(modelName, sample.imageSize, seed));
  const module = strategy.scope(() => new MelanomaClassifier(model, { learningRate, schedule: 'cosine', epochs: maxEpochs }));
  const trainLoader = new DataLoader(new SampleDataset(sample.train.images, sample.train.targets), { batchSize, shuffle: true, seed, dropLast: true, numWorkers: 0 });
  const valLoader = new DataLoader(new SampleDataset(sample.val.images, sample.val.targets), { batchSize, numWorkers: 0 });
  return {
    trainer,
    module,
    fit: async (resume) => {
      // A run stopped before its first checkpoint has nothing to resume from: it starts afresh.
      const saved = resume && checkpoint !== undefined && (await trainer.checkpointStorage.exists(`${checkpoint.dir}/last.ckpt`));
      await trainer.fit(module, trainLoader, valLoader, saved ? { ckptPath: 'last' } : undefined);
    },
  };
}
