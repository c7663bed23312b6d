// globalBatchSize on the CPU: the accumulation plan, the re-batched DataLoader, the per-sample
// weighting of a short last step, the option checks and the checkpoint's global batch size.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StrataError } from '@strata/core';
import { DataLoader } from '../data/data-loader.js';
import { arrayDataset } from '../data/dataset.js';
import { Linear, jsCpu, linearData, loader, maxAbsDiff, values, type JsCpu } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import type { TrainerOptions } from '../trainer-options.js';
import { microBatchWeight, planGlobalBatch } from './global-batch.js';

describe('planGlobalBatch', () => {
  it('accumulates the fewest micro-batches that divide the global batch and fit deviceBatchSize', () => {
    const cases: [number, number, number | undefined, number][] = [
      [32, 8, undefined, 1],
      [32, 8, 4, 1],
      [32, 8, 2, 2],
      [32, 1, 8, 4],
      [30, 8, 2, 2],
      [30, 8, 1, 5],
      [7, 4, 1, 7],
    ];
    for (const [global, replicas, device, accumulation] of cases) {
      const plan = planGlobalBatch(global, replicas, device);
      assert.equal(plan.accumulation, accumulation, `${global} on ${replicas} with deviceBatchSize ${device}`);
      assert.equal(plan.microBatchSize * plan.accumulation, global);
      if (device !== undefined) assert.ok(Math.ceil(plan.microBatchSize / replicas) <= Math.max(device, Math.ceil(global / replicas / plan.accumulation)));
    }
  });

  it('weighs a micro-batch by its share of its step, a short last step included', () => {
    const plan = planGlobalBatch(32, 8, 2); // micro-batches of 16, 2 a step
    assert.equal(microBatchWeight(plan, 0, 16, 100), 0.5);
    assert.equal(microBatchWeight(plan, 5, 16, 100), 0.5);
    // 100 = 3 steps of 32 and one of 4: the 7th micro-batch is its step alone.
    assert.equal(microBatchWeight(plan, 6, 4, 100), 1);
    // Unknown epoch length: each micro-batch weighs 1/accumulation.
    assert.equal(microBatchWeight(plan, 6, 4, undefined), 0.5);
  });
});

describe('DataLoader.withBatchSize', () => {
  it('yields the same samples in the same order, cut into batches of the new size', async () => {
    const original = new DataLoader(arrayDataset(Array.from({ length: 10 }, (_, i) => ({ v: i }))), { batchSize: 4, shuffle: true, seed: 3 });
    original.setEpoch(2);
    const copy = original.withBatchSize(3);
    assert.equal(copy.batchSize, 3);
    assert.equal(copy.length, 4);
    assert.equal(copy.sampleCount, 10);
    const rows = async (l: typeof original) => {
      const out: number[][] = [];
      for await (const b of l) {
        out.push([...(await b.v.data())]);
        tf.dispose(b.v);
      }
      return out;
    };
    const a = await rows(original);
    const b = await rows(copy);
    assert.deepEqual(a.flat(), b.flat());
    assert.deepEqual(b.map((r) => r.length), [3, 3, 3, 1]);
  });

  it('under dropLast drops what the original drops: whole original batches, never a global batch cut short', async () => {
    // 50 samples in batches of 32 with dropLast: one batch. Cut into 16s, the copy yields that
    // batch's two halves, not a third micro-batch that would start a global batch of 16.
    const original = new DataLoader(arrayDataset(Array.from({ length: 50 }, (_, i) => ({ v: i }))), { batchSize: 32, dropLast: true });
    const copy = original.withBatchSize(16);
    assert.equal(copy.length, 2);
    assert.equal(copy.sampleCount, 32);
    const seen: number[] = [];
    for await (const b of copy) {
      seen.push(...(await b.v.data()));
      tf.dispose(b.v);
    }
    assert.deepEqual(seen, Array.from({ length: 32 }, (_, i) => i));
    // A copy of the copy keeps the rule; batches that do not divide drop their own remainder too.
    assert.equal(copy.withBatchSize(8).length, 4);
    assert.equal(original.withBatchSize(12).length, 2);
    assert.equal(new DataLoader(arrayDataset(Array.from({ length: 50 }, (_, i) => ({ v: i }))), { batchSize: 16, dropLast: true }).length, 3);
  });
});

describe('Trainer globalBatchSize on the CPU', () => {
  let strategy: JsCpu;
  const work = mkdtempSync(join(tmpdir(), 'strata-global-batch-'));
  before(async () => {
    strategy = await jsCpu();
  });
  after(async () => {
    await strategy.teardown();
    rmSync(work, { recursive: true, force: true });
  });

  async function trainWeights(options: TrainerOptions, batchSize: number, epochs = 2): Promise<{ weights: number[][]; trainer: Trainer; batches: number[] }> {
    const trainer = new Trainer({ strategy, maxEpochs: epochs, enableProgressBar: false, logger: false, numSanityValSteps: 0, preflight: false, ...options });
    const module = new Linear(0.1);
    await trainer.fit(module, loader(batchSize, linearData, { shuffle: true, seed: 5 }));
    const weights = await values(module.parameters());
    const batches = module.trainBatches;
    module.dispose();
    return { weights, trainer, batches };
  }

  it('re-batches the DataLoader and accumulates to the same steps as one batch of globalBatchSize', async () => {
    // 32 samples, global batch 12: steps of 12, 12 and a short one of 8.
    const plain = await trainWeights({}, 12);
    const global = await trainWeights({ globalBatchSize: 12 }, 5);
    assert.equal(global.trainer.accumulateGradBatches, 1);
    assert.ok(maxAbsDiff(plain.weights, global.weights) < 1e-6, `${plain.weights} vs ${global.weights}`);
    // deviceBatchSize 6 on one device: micro-batches of 6, 2 a step; the short last step is 6 + 2 samples.
    const accumulated = await trainWeights({ globalBatchSize: 12, deviceBatchSize: 6 }, 5);
    assert.equal(accumulated.trainer.accumulateGradBatches, 2);
    assert.equal(accumulated.batches.length, 2 * 6);
    assert.equal(accumulated.trainer.globalStep, 2 * 3);
    assert.ok(maxAbsDiff(plain.weights, accumulated.weights) < 1e-6, `${plain.weights} vs ${accumulated.weights}`);
  });

  it('refuses a loader it cannot re-batch whose batches are not the micro-batch size, naming the fix', async () => {
    const trainer = new Trainer({ strategy, maxEpochs: 1, enableProgressBar: false, logger: false, numSanityValSteps: 0, preflight: false, globalBatchSize: 8 });
    const module = new Linear();
    const batches = [0, 1].map(() => ({ x: tf.zeros([4, 2]), y: tf.zeros([4]) }));
    await assert.rejects(trainer.fit(module, batches), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.match(e.message, /gave a batch of 4 samples; globalBatchSize 8 on 1 device\(s\) takes micro-batches of 8/);
      assert.match(e.fix ?? '', /Strata DataLoader/);
      return true;
    });
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    module.dispose();
  });

  it('records globalBatchSize in checkpoints: the same one resumes, none adopts it, another is refused naming both', async () => {
    const path = join(work, 'g8.ckpt');
    // Saved at the end of the first epoch (4 steps of 8 samples), inside the fit.
    const save = { onTrainEpochEnd: (t: Trainer) => t.saveCheckpoint(path) };
    const trainer = new Trainer({ strategy, maxEpochs: 1, enableProgressBar: false, logger: false, numSanityValSteps: 0, globalBatchSize: 8, callbacks: [save] });
    const module = new Linear();
    await trainer.fit(module, loader(4));
    module.dispose();
    const resume = async (options: TrainerOptions) => {
      const t = new Trainer({ strategy, maxEpochs: 2, enableProgressBar: false, logger: false, numSanityValSteps: 0, ...options });
      const m = new Linear();
      try {
        await t.fit(m, loader(4), { ckptPath: path });
      } finally {
        m.dispose();
      }
      return t;
    };
    const adopted = await resume({});
    assert.equal(adopted.globalBatchSize, 8);
    assert.equal(adopted.globalStep, 8);
    assert.equal((await resume({ globalBatchSize: 8 })).globalStep, 8);
    await assert.rejects(resume({ globalBatchSize: 16 }), /trained with globalBatchSize 8; this Trainer has globalBatchSize 16/);
    await assert.rejects(resume({ accumulateGradBatches: 2 }), /trained with globalBatchSize 8; this Trainer has globalBatchSize none and accumulateGradBatches 2/);
  });
});

describe('globalBatchSize options', () => {
  const invalid: [Record<string, unknown>, RegExp][] = [
    [{ globalBatchSize: 32, accumulateGradBatches: 2 }, /globalBatchSize \(32\) and accumulateGradBatches \(2\) were both given/],
    [{ deviceBatchSize: 4 }, /deviceBatchSize \(4\) needs globalBatchSize/],
    [{ globalBatchSize: 0 }, /globalBatchSize: received 0/],
    [{ globalBatchSize: 8, deviceBatchSize: 1.5 }, /deviceBatchSize: received 1.5/],
  ];
  for (const [options, message] of invalid) {
    it(`refuses ${JSON.stringify(options)} at construction`, () => {
      assert.throws(() => new Trainer(options), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option' && message.test(e.message));
    });
  }
});
