import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { arrayDataset, type Batch, type DataLoader } from '@strata/training';
import { trainLoader, valLoader } from './loaders.js';

// 500 samples, 10 of them melanoma (2%, near the real data's 1.8%); x is the sample's index.
const targets = Array.from({ length: 500 }, (_, i) => (i % 50 === 7 ? 1 : 0));
const dataset = arrayDataset(targets.map((y, i) => ({ x: { data: Float32Array.of(i), shape: [1] }, y })));

/** The positives of each batch of one epoch, and the sample indices drawn. */
async function epoch(loader: DataLoader): Promise<{ positives: number[]; indices: number[] }> {
  const positives: number[] = [];
  const indices: number[] = [];
  for await (const batch of loader as AsyncIterable<Batch>) {
    const y = await batch.y.data();
    positives.push(Array.from(y).reduce((a, b) => a + b, 0));
    indices.push(...(await batch.x.data()));
    tf.dispose(batch);
  }
  return { positives, indices };
}

describe('melanoma loaders', () => {
  it('--balanced-sampler draws melanoma as often as benign, in batches of the same count', async () => {
    await tf.setBackend('cpu');
    const loader = trainLoader(dataset, targets, { batchSize: 50, numWorkers: 0, seed: 3, balancedSampler: true });
    const { positives, indices } = await epoch(loader);
    assert.equal(positives.length, 10);
    const share = positives.reduce((a, b) => a + b, 0) / 500;
    assert.ok(share > 0.4 && share < 0.6, `melanoma share ${share}`);
    assert.ok(positives.every((p) => p >= 10), `positives per batch of 50: ${positives}`);
    // Drawn with replacement: the 10 melanomas come back many times each.
    assert.ok(new Set(indices).size < 500);
  });

  it('without it, batches follow the data: 2% melanoma, each sample once', async () => {
    await tf.setBackend('cpu');
    const loader = trainLoader(dataset, targets, { batchSize: 50, numWorkers: 0, seed: 3, balancedSampler: false });
    const { positives, indices } = await epoch(loader);
    assert.equal(positives.reduce((a, b) => a + b, 0), 10);
    assert.equal(new Set(indices).size, 500);
    assert.notDeepEqual(indices.slice(0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'shuffled');
  });

  it('validation: every image once, in order, in batches of the training size', async () => {
    await tf.setBackend('cpu');
    const { positives, indices } = await epoch(valLoader(dataset, { batchSize: 64, numWorkers: 0 }));
    assert.equal(positives.length, 8);
    assert.deepEqual(indices, targets.map((_, i) => i));
  });

});
