import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DataLoader } from './data-loader.js';
import { arrayDataset, type Sample } from './dataset.js';

const samples: Sample[] = Array.from({ length: 10 }, (_, i) => ({ x: { data: Float32Array.of(i, -i), shape: [2] }, y: i }));

async function labels(loader: DataLoader): Promise<number[][]> {
  const out: number[][] = [];
  for await (const batch of loader) {
    out.push(Array.from(await batch.y.data()));
    assert.deepEqual(batch.x.shape, [batch.y.shape[0], 2]);
    tf.dispose(Object.values(batch));
  }
  return out;
}

describe('DataLoader', () => {
  it('batches in order and keeps the last partial batch by default', async () => {
    const loader = new DataLoader(arrayDataset(samples), { batchSize: 4 });
    assert.equal(loader.length, 3);
    assert.deepEqual(await labels(loader), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('drops the last partial batch with dropLast', async () => {
    const loader = new DataLoader(arrayDataset(samples), { batchSize: 4, dropLast: true });
    assert.equal(loader.length, 2);
    assert.equal((await labels(loader)).length, 2);
  });

  it('shuffles the same way for the same seed and epoch, differently across epochs', async () => {
    const a = new DataLoader(arrayDataset(samples), { batchSize: 10, shuffle: true, seed: 5 });
    const b = new DataLoader(arrayDataset(samples), { batchSize: 10, shuffle: true, seed: 5 });
    const first = (await labels(a))[0];
    assert.deepEqual((await labels(b))[0], first);
    assert.notDeepEqual(first, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([...first].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    a.setEpoch(1);
    assert.notDeepEqual((await labels(a))[0], first);
  });

  it('rejects a batch size of 0, naming it', () => {
    assert.throws(() => new DataLoader(arrayDataset(samples), { batchSize: 0 }), /batchSize: received 0/);
  });
});
