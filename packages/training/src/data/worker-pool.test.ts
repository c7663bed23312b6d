import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { DataLoader } from './data-loader.js';
import type { Dataset, Sample, WorkerSource } from './dataset.js';

// Worker threads run compiled JavaScript: build @strata/training before these tests.
const fixture = new URL('./fixtures/worker-dataset.mjs', import.meta.url).href;
const source = (args: Record<string, number>): WorkerSource => ({ module: fixture, exportName: 'createDataset', args });
const { createDataset } = (await import(fixture)) as { createDataset: (args: Record<string, number>) => Dataset<Sample> };

async function epoch(loader: DataLoader): Promise<{ y: number[]; x: number[] }> {
  const y: number[] = [];
  const x: number[] = [];
  for await (const batch of loader) {
    y.push(...(await batch.y.data()));
    x.push(...(await batch.x.data()));
    tf.dispose(Object.values(batch));
  }
  return { y, x };
}

describe('DataLoader with worker threads', () => {
  it('gives the same batches, in order, as loading in the main thread (shuffle, seeds, delays)', async () => {
    const args = { length: 37, delayMs: 3 };
    const options = { batchSize: 5, shuffle: true, seed: 9 };
    const inline = new DataLoader(createDataset(args), options);
    const pooled = new DataLoader(createDataset(args), { ...options, numWorkers: 2, prefetch: 2, workerSource: source(args) });
    try {
      for (const e of [0, 1]) {
        inline.setEpoch(e);
        pooled.setEpoch(e);
        assert.deepEqual(await epoch(pooled), await epoch(inline));
      }
    } finally {
      await pooled.close();
    }
  });

  it('surfaces an error thrown in a worker with the item and the message', async () => {
    const args = { length: 20, failAt: 13 };
    const loader = new DataLoader(createDataset(args), { batchSize: 4, numWorkers: 2, workerSource: source(args) });
    try {
      await assert.rejects(epoch(loader), (e: unknown) => e instanceof StrataError && e.kind === 'worker-failed' && /sample 13 \(batch 3\).*fixture bug while reading item 13/.test(e.message));
    } finally {
      await loader.close();
    }
  });

  it('names the file of a corrupt image, and skips it under onBadSample "skip", counting', async () => {
    const args = { length: 12, badFileAt: 6 };
    const strict = new DataLoader(createDataset(args), { batchSize: 4, numWorkers: 1, workerSource: source(args) });
    const warnings: string[] = [];
    const lenient = new DataLoader(createDataset(args), { batchSize: 4, numWorkers: 1, workerSource: source(args), onBadSample: 'skip', warn: (m) => warnings.push(m) });
    try {
      await assert.rejects(epoch(strict), (e: unknown) => {
        assert.ok(e instanceof StrataError && e.kind === 'data-error', String(e));
        assert.match(e.message, /^Loading sample 6 \(batch 1\) failed: Cannot decode image "\/data\/train\/img_6\.jpg": premature end of JPEG\. Fix: /);
        // One reason and one fix: the decoder's, then the loader's policy (a real option).
        assert.equal(e.message.split('Fix:').length - 1, 1, e.message);
        assert.equal(e.fix, "the file is truncated or corrupt: re-download or remove it; or set the DataLoader's onBadSample: 'skip' to leave such samples out (at most maxBadSamples).");
        return true;
      });
      const { y } = await epoch(lenient);
      assert.deepEqual(y, [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
      assert.equal(lenient.badSamples, 1);
      assert.match(warnings[0], /skipped: .*sample 6.*img_6\.jpg/);
    } finally {
      await Promise.all([strict.close(), lenient.close()]);
    }
  });

  it('stops past maxBadSamples', async () => {
    const args = { length: 8, badFileAt: 2 };
    const loader = new DataLoader(createDataset(args), { batchSize: 4, onBadSample: 'skip', maxBadSamples: 0, warn: () => undefined });
    await assert.rejects(epoch(loader), (e: unknown) => {
      assert.ok(e instanceof StrataError, String(e));
      assert.match(e.message, /More than 0 samples failed to load; the last: Cannot decode image "\/data\/train\/img_2\.jpg": premature end of JPEG\. Fix: repair or remove the bad files, or raise maxBadSamples\.$/);
      assert.equal(e.message.split('Fix:').length - 1, 1, e.message);
      return true;
    });
  });

  it('fails, never hangs, when a worker dies', async () => {
    const args = { length: 16, exitAt: 9 };
    const loader = new DataLoader(createDataset(args), { batchSize: 4, numWorkers: 2, workerSource: source(args) });
    try {
      await assert.rejects(epoch(loader), (e: unknown) => e instanceof StrataError && e.kind === 'worker-failed' && /exited unexpectedly with code 3, while loading batch 2 of epoch 0 \(items 8, 9, 10, 11\)/.test(e.message));
    } finally {
      await loader.close();
    }
  });

  it('fails with the module name when a worker cannot build the dataset', async () => {
    const loader = new DataLoader(createDataset({ length: 4 }), { batchSize: 2, numWorkers: 1, workerSource: { module: fixture, exportName: 'noSuchFactory' } });
    try {
      await assert.rejects(epoch(loader), /could not build the dataset from .*worker-dataset\.mjs.*noSuchFactory/);
    } finally {
      await loader.close();
    }
  });

  it('refuses numWorkers for a dataset that workers cannot rebuild', () => {
    assert.throws(() => new DataLoader(createDataset({ length: 4 }), { numWorkers: 2 }), /numWorkers: received 2/);
  });
});
