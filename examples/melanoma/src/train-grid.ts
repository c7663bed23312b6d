import { StrataError } from '@strata/core';
import { makeGrid, type HwcImage } from '@strata/vision';
import type { MelanomaRow } from './melanoma-csv.js';
import type { MelanomaDataset } from './melanoma-dataset.js';

/**
 * Draws `file`: the first 16 training images, augmented as the model sees them, melanomas marked
 * "1". With `onBadSample: 'skip'` an image that fails to load is left out of the grid, as the
 * training loader leaves it out of its batches (warning about it and counting it), and no file
 * is drawn when none of them loads; with 'error' it fails the run here, before training.
 */
export async function drawTrainGrid(trainSet: MelanomaDataset, train: readonly MelanomaRow[], seed: number, onBadSample: 'error' | 'skip', file: string): Promise<void> {
  const shown = Array.from({ length: Math.min(16, train.length) }, (_, i) => i);
  const loaded = await Promise.all(
    shown.map(async (i): Promise<{ image: HwcImage; label: string } | undefined> => {
      try {
        return { image: await trainSet.image(i, seed + i), label: `${train[i].target}` };
      } catch (error) {
        if (onBadSample === 'skip' && error instanceof StrataError && error.kind === 'data-error') return undefined;
        throw error;
      }
    }),
  );
  const kept = loaded.filter((entry) => entry !== undefined);
  // Every image shown failed to load and was skipped: there is nothing to draw.
  if (kept.length === 0) return;
  await makeGrid(
    kept.map((entry) => entry.image),
    { nrow: 8, labels: kept.map((entry) => entry.label) },
    file,
  );
}
