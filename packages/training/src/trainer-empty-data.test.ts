import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { before, describe, it, type TestContext } from 'node:test';
import { StrataError } from '@strata/core';
import type { Callback } from './callback.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { DataLoader } from './data/data-loader.js';
import { arrayDataset } from './data/dataset.js';
import { ReduceLrOnPlateau } from './optim/reduce-lr-on-plateau.js';
import type { OptimizerConfig } from './optim/optimizer-config.js';
import { Linear, jsCpu, linearData, loader } from './testing/js-cpu.js';
import { Trainer } from './trainer.js';

/** A callback that records the hooks it sees. */
function recorder(): Callback & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    setup: () => void calls.push('setup'),
    onFitStart: () => void calls.push('onFitStart'),
    onTrainEpochEnd: () => void calls.push('onTrainEpochEnd'),
  };
}

/** Captures console.warn for the test. */
function warnings(t: TestContext): string[] {
  const seen: string[] = [];
  t.mock.method(console, 'warn', (message: string) => void seen.push(message));
  return seen;
}

/** The Trainer's optimizer, read through a call so that an assertion on it does not narrow the property for the rest of the test. */
const optimizerOf = (trainer: Trainer) => trainer.optimizer;

const empty = () => new DataLoader(arrayDataset([]), { batchSize: 8 });

describe('fit with empty data', () => {
  // Modules make their variables at construction: the tfjs backend must exist first.
  before(() => jsCpu());

  it('an empty training loader is an error naming the loader and the fix, thrown before any hook; the Trainer stays usable', async () => {
    const module = new Linear();
    const hooks = recorder();
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 2, enableProgressBar: false, callbacks: [hooks] });
    await assert.rejects(trainer.fit(module, empty(), loader(16)), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'data-error');
      assert.match(e.message, /^Trainer\.fit got an empty training loader: a DataLoader of 0 batches \(0 samples, batchSize 8\), so there is nothing to train on\./);
      assert.match(e.message, /Fix: the dataset behind the training loader has no sample/);
      return true;
    });
    assert.deepEqual(hooks.calls, []);
    assert.equal(optimizerOf(trainer), undefined, 'configureOptimizers did not run');
    assert.deepEqual(module.trainBatches, []);

    await trainer.fit(module, loader(8), loader(16));
    assert.equal(trainer.globalStep, 8);
    assert.deepEqual(hooks.calls, ['setup', 'onFitStart', 'onTrainEpochEnd', 'onTrainEpochEnd']);
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('dropLast with fewer samples than a batch: the fix names the batch size to use', async () => {
    const module = new Linear();
    const trainer = new Trainer({ strategy: await jsCpu(), enableProgressBar: false });
    const small = new DataLoader(arrayDataset(linearData.slice(0, 5)), { batchSize: 8, dropLast: true });
    await assert.rejects(trainer.fit(module, small), /0 batches \(5 samples, batchSize 8, dropLast: true\).*Fix: lower batchSize to at most 5, or set dropLast: false/);
    module.dispose();
  });

  it('a generator that is spent after one epoch fails in the second, saying why', async () => {
    const module = new Linear();
    async function* batches() {
      for await (const b of loader(8)) yield b;
    }
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 2, enableProgressBar: false });
    await assert.rejects(trainer.fit(module, batches()), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'data-error');
      assert.match(e.message, /the training loader \(a generator object\) yielded no batch in epoch 1\. A generator object yields its batches only once/);
      assert.match(e.message, /Fix: pass an iterable that starts over each time/);
      return true;
    });
    assert.equal(trainer.globalStep, 4, 'the first epoch trained');
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('an empty validation loader: one warning, validation skipped, training done', async (t) => {
    const seen = warnings(t);
    const module = new Linear();
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 3, enableProgressBar: false, preflight: false });
    await trainer.fit(module, loader(8), empty());
    assert.deepEqual(seen, [
      'Trainer.fit: the validation loader is a DataLoader of 0 batches (0 samples, batchSize 8); validation is skipped. To fix: the dataset behind it has no sample: check where it reads its data from.',
    ]);
    assert.equal(module.valBatches, 0);
    assert.equal(trainer.globalStep, 12);
    assert.deepEqual(trainer.history.map((h) => Object.keys(h).sort()), [['epoch', 'train_loss'], ['epoch', 'train_loss'], ['epoch', 'train_loss']]);
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('one empty loader among two: it alone is skipped, the other keeps its index in metric names', async (t) => {
    const seen = warnings(t);
    const module = new Linear();
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 1, enableProgressBar: false, numSanityValSteps: 0 });
    await trainer.fit(module, loader(8), [empty(), loader(16)]);
    assert.equal(seen.length, 1);
    assert.match(seen[0], /^Trainer\.fit: validation loader 0 is a DataLoader of 0 batches .*; it is skipped\./);
    assert.ok(Number.isFinite(trainer.history[0]['val_loss/dataloader_idx_1']));
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('an empty validation loader while EarlyStopping monitors val_loss is an error naming the monitor, before any hook', async (t) => {
    warnings(t);
    const module = new Linear();
    const hooks = recorder();
    const trainer = new Trainer({ strategy: await jsCpu(), enableProgressBar: false, callbacks: [hooks, new EarlyStopping({ monitor: 'val_loss' })] });
    await assert.rejects(trainer.fit(module, loader(8), empty()), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'data-error');
      assert.match(e.message, /validation is skipped \(every validation loader is empty\), but EarlyStopping monitors "val_loss", which only validation logs/);
      assert.match(e.message, /Fix: give fit\(\) a validation loader with at least one batch, or monitor a training metric such as "train_loss"/);
      return true;
    });
    assert.deepEqual(hooks.calls, []);
    assert.equal(optimizerOf(trainer), undefined, 'configureOptimizers did not run');
    module.dispose();
  });

  it('an empty validation loader while a scheduler monitors val_loss is an error naming the scheduler', async (t) => {
    warnings(t);
    class Plateau extends Linear {
      override configureOptimizers(): OptimizerConfig {
        const optimizer = tf.train.sgd(0.1);
        return { optimizer, lrScheduler: { scheduler: new ReduceLrOnPlateau(optimizer), monitor: 'val_loss' } };
      }
    }
    const module = new Plateau();
    const trainer = new Trainer({ strategy: await jsCpu(), enableProgressBar: false });
    await assert.rejects(trainer.fit(module, loader(8), empty()), /the learning-rate scheduler ReduceLrOnPlateau monitors "val_loss"/);
    assert.deepEqual(module.trainBatches, []);
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('validate() on an empty loader warns and returns no metric', async (t) => {
    const seen = warnings(t);
    const module = new Linear();
    const trainer = new Trainer({ strategy: await jsCpu(), enableProgressBar: false });
    assert.deepEqual(await trainer.validate(module, empty()), {});
    assert.equal(seen.length, 1);
    assert.match(seen[0], /^Trainer\.validate: the validation loader is a DataLoader of 0 batches/);
    module.dispose();
  });
});
