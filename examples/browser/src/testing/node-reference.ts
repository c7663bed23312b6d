// The Node side of the browser tests: the same run as the page's (same module, recipe, sample
// and batch order) on a strategy in Node, giving the loss of every optimizer step.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DistributionStrategy } from '@strata/core';
import { decodeImage } from '@strata/vision';
import { prepareBrowserRun, type DecodedSample } from '../run/browser-run.js';
import { MANIFEST_FILE, parseSampleManifest, type SampleImage } from '../run/sample-manifest.js';
import { InPageLogger } from '@strata/training';
import { stepLossOf, type StepLoss } from '../run/step-losses.js';

/** Decodes the sample in `dir` (as `makeSample` wrote it) with sharp, in the manifest's order. */
export async function decodeSampleInNode(dir: string): Promise<DecodedSample> {
  const path = join(dir, MANIFEST_FILE);
  const manifest = parseSampleManifest(JSON.parse(await readFile(path, 'utf8')), path);
  const split = async (rows: readonly SampleImage[]) => ({
    images: await Promise.all(rows.map((row) => decodeImage(join(dir, row.file)))),
    targets: rows.map((row) => row.target),
  });
  return { imageSize: manifest.imageSize, train: await split(manifest.train), val: await split(manifest.val) };
}

/**
 * Trains the page's run of `maxEpochs` on `strategy` (set up and torn down here), stopping after
 * `maxSteps` when given, with `limitTrainBatches` batches an epoch when given (the page's
 * `?trainBatches=`); the loss of every step.
 */
export async function nodeStepLosses(
  strategy: DistributionStrategy,
  sample: DecodedSample,
  maxEpochs: number,
  maxSteps?: number,
  limitTrainBatches?: number,
): Promise<StepLoss[]> {
  const logger = new InPageLogger();
  try {
    const run = await prepareBrowserRun({ strategy, sample, maxEpochs, maxSteps, limitTrainBatches, loggers: [logger] });
    await run.fit(false);
  } finally {
    await strategy.teardown();
  }
  return logger.rows.flatMap((row) => stepLossOf(row) ?? []);
}
