import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError, registerBackend, strategyModule } from '@strata/core';
import type { Callback } from './callback.js';
import { DataModule } from './data-module.js';
import type { Batch } from './data/collate.js';
import { JsCpu, JsCpuMixed, Linear, jsCpu, loader, maxAbsDiff, values } from './testing/js-cpu.js';
import { Trainer } from './trainer.js';
import type { TrainerOptions } from './trainer-options.js';

async function fitLinear(
  options: { batchSize: number; accumulate: number; epochs: number } & Partial<TrainerOptions>,
): Promise<{ trainer: Trainer; module: Linear; tensors: number[] }> {
  const { batchSize, accumulate, epochs, ...rest } = options;
  const strategy = await jsCpu();
  const module = new Linear();
  const tensors: number[] = [];
  const trainer = new Trainer({
    strategy,
    maxEpochs: epochs,
    accumulateGradBatches: accumulate,
    enableProgressBar: false,
    callbacks: [{ onTrainEpochEnd: () => void tensors.push(tf.memory().numTensors) }],
    ...rest,
  });
  await trainer.fit(module, loader(batchSize), loader(16));
  return { trainer, module, tensors };
}

function release(...runs: { trainer: Trainer; module: Linear }[]): void {
  for (const r of runs) {
    r.module.dispose();
    r.trainer.optimizer?.dispose();
  }
}

/** Counts batches per loop as Lightning's loops would see them. */
async function countBatches(options: Partial<TrainerOptions>, trainSize = 8, valSize = 8): Promise<{ train: number[]; val: number; test: number; predict: number; trainer: Trainer }> {
  const module = new Linear();
  const trainer = new Trainer({ strategy: await jsCpu(), enableProgressBar: false, preflight: false, ...options });
  await trainer.fit(module, loader(32 / trainSize), loader(32 / valSize));
  const val = module.valBatches;
  await trainer.test(module, loader(32 / valSize));
  const predictions = await trainer.predict(module, loader(32 / valSize));
  tf.dispose(predictions);
  const result = { train: module.trainBatches, val, test: module.testBatches, predict: predictions.length, trainer };
  release({ trainer, module });
  return result;
}

describe('Trainer', () => {
  it('trains: the loss falls and a line of metrics is kept per epoch', async () => {
    const run = await fitLinear({ batchSize: 8, accumulate: 1, epochs: 5 });
    const { trainer } = run;
    assert.equal(trainer.history.length, 5);
    assert.ok(trainer.history[4].train_loss < trainer.history[0].train_loss);
    assert.ok(trainer.history[4].val_loss < trainer.history[0].val_loss);
    assert.deepEqual(trainer.history.map((h) => h.epoch), [0, 1, 2, 3, 4]);
    assert.equal(trainer.globalStep, 20);
    release(run);
  });

  it('keeps tf.memory().numTensors the same after epoch 1 and epoch 3', async () => {
    const run = await fitLinear({ batchSize: 8, accumulate: 2, epochs: 3, gradientClipVal: 0.5 });
    assert.equal(run.tensors.length, 3);
    assert.equal(run.tensors[2], run.tensors[0], `tensors after each epoch: ${run.tensors}`);
    release(run);
  });

  for (const clip of [undefined, { gradientClipVal: 0.05, gradientClipAlgorithm: 'norm' as const }, { gradientClipVal: 0.02, gradientClipAlgorithm: 'value' as const }]) {
    const name = clip ? `clipping by ${clip.gradientClipAlgorithm}` : 'no clipping';
    it(`accumulating 4 batches of 8 makes the same update as one batch of 32 (${name})`, async () => {
      const accumulated = await fitLinear({ batchSize: 8, accumulate: 4, epochs: 1, ...clip });
      const whole = await fitLinear({ batchSize: 32, accumulate: 1, epochs: 1, ...clip });
      assert.equal(accumulated.trainer.globalStep, 1);
      const a = await values([accumulated.module.w, accumulated.module.b]);
      const b = await values([whole.module.w, whole.module.b]);
      assert.ok(maxAbsDiff(a, b) < 1e-6, `${a} vs ${b}`);
      if (clip) {
        // The clip was active: the update differs from an unclipped one.
        const free = await fitLinear({ batchSize: 32, accumulate: 1, epochs: 1 });
        assert.ok(maxAbsDiff(b, await values([free.module.w, free.module.b])) > 1e-3, 'clipping changed nothing: the test would not see it');
        release(free);
      }
      release(accumulated, whole);
    });
  }

  it('accumulation by schedule changes the steps per epoch', async () => {
    const run = await fitLinear({ batchSize: 8, accumulate: 1, accumulateGradBatches: { 0: 4, 1: 2, 2: 1 }, epochs: 3 });
    // 4 batches per epoch: 1 step, then 2, then 4.
    assert.equal(run.trainer.globalStep, 7);
    release(run);
  });

  describe('batch limits, as Lightning counts them', () => {
    it('fastDevRun: true runs 1 train, 1 val and 1 test batch, one epoch, no sanity check', async () => {
      const { train, val, test, predict, trainer } = await countBatches({ fastDevRun: true, maxEpochs: 5, numSanityValSteps: 2 });
      assert.deepEqual(train, [0]);
      assert.equal(val, 1);
      assert.equal(test, 1);
      assert.equal(predict, 1);
      assert.equal(trainer.globalStep, 1);
    });

    it('fastDevRun: 3 runs 3 batches of each', async () => {
      const { train, val, test } = await countBatches({ fastDevRun: 3 });
      assert.deepEqual(train, [0, 1, 2]);
      assert.equal(val, 3);
      assert.equal(test, 3);
    });

    it('overfitBatches: 2 trains on batches 0 and 1 every epoch, validates on 2', async () => {
      const { train, val } = await countBatches({ overfitBatches: 2, maxEpochs: 3, numSanityValSteps: 0 });
      assert.deepEqual(train, [0, 1, 0, 1, 0, 1]);
      assert.equal(val, 6);
    });

    it('limit*Batches as counts and fractions (floor of fraction x batches)', async () => {
      const { train, val, test, predict } = await countBatches({ limitTrainBatches: 3, limitValBatches: 0.5, limitTestBatches: '25%', limitPredictBatches: 0.7, maxEpochs: 2, numSanityValSteps: 0 });
      assert.equal(predict, 5); // floor(8 x 0.7)
      assert.deepEqual(train, [0, 1, 2, 0, 1, 2]);
      assert.equal(val, 8); // floor(8 x 0.5) = 4 per epoch
      assert.equal(test, 2); // floor(8 x 0.25)
    });

    it('a fraction that leaves 0 batches is an error that names the fix', async () => {
      await assert.rejects(countBatches({ limitTrainBatches: 0.1 }, 8), /limitTrainBatches=0.1 of 8 batches leaves 0 batches.*at least 0.125/);
    });

    it('numSanityValSteps runs that many validation batches before training', async () => {
      const { val } = await countBatches({ numSanityValSteps: 3, maxEpochs: 1, checkValEveryNEpoch: 2 });
      assert.equal(val, 3);
      const capped = await countBatches({ numSanityValSteps: 3, maxEpochs: 1, checkValEveryNEpoch: 2, limitValBatches: 2 });
      assert.equal(capped.val, 2);
      const none = await countBatches({ numSanityValSteps: 3, maxEpochs: 1, limitValBatches: 0 });
      assert.equal(none.val, 0);
    });

    it('valCheckInterval and checkValEveryNEpoch', async () => {
      const every3 = await countBatches({ valCheckInterval: 3, maxEpochs: 1, numSanityValSteps: 0, limitValBatches: 1 });
      assert.equal(every3.val, 2); // after batches 3 and 6 of 8
      const half = await countBatches({ valCheckInterval: 0.5, maxEpochs: 1, numSanityValSteps: 0, limitValBatches: 1 });
      assert.equal(half.val, 2); // after batches 4 and 8
      const everyOther = await countBatches({ checkValEveryNEpoch: 2, maxEpochs: 4, numSanityValSteps: 0, limitValBatches: 1 });
      assert.equal(everyOther.val, 2); // epochs 1 and 3
    });

    it('maxSteps stops mid-epoch; minEpochs overrides an early stop', async () => {
      const steps = await countBatches({ maxSteps: 5, numSanityValSteps: 0 });
      assert.deepEqual(steps.train, [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4].slice(0, 5));
      assert.equal(steps.trainer.globalStep, 5);
      const stopper: Callback = { onTrainEpochEnd: (t) => void (t.shouldStop = true) };
      const min = await countBatches({ minEpochs: 3, maxEpochs: 10, callbacks: [stopper], numSanityValSteps: 0, limitTrainBatches: 1 });
      assert.equal(min.train.length, 3);
    });
  });

  it('calls the module and callback hooks in Lightning order', async () => {
    const calls: string[] = [];
    class Hooked extends Linear {
      override async onFitStart() { calls.push('module.onFitStart'); }
      override async onTrainEpochStart() { calls.push('module.onTrainEpochStart'); }
      override async onTrainBatchStart(_b: Batch, i: number) { calls.push(`module.onTrainBatchStart ${i}`); }
      override async onTrainBatchEnd(i: number) { calls.push(`module.onTrainBatchEnd ${i}`); }
      override async onValidationEpochStart() { calls.push('module.onValidationEpochStart'); }
      override async onValidationEpochEnd() { calls.push('module.onValidationEpochEnd'); }
      override async onTrainEpochEnd() { calls.push('module.onTrainEpochEnd'); }
      override async onFitEnd() { calls.push('module.onFitEnd'); }
    }
    const module = new Hooked();
    const callback: Callback = {
      onSanityCheckStart: () => void calls.push('cb.onSanityCheckStart'),
      onTrainEpochEnd: (_t, _m, metrics) => void calls.push(`cb.onTrainEpochEnd ${Object.keys(metrics).sort().join(',')}`),
      onValidationEpochEnd: () => void calls.push('cb.onValidationEpochEnd'),
    };
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 1, numSanityValSteps: 1, enableProgressBar: false, callbacks: [callback] });
    await trainer.fit(module, loader(16), loader(32));
    assert.deepEqual(calls, [
      'module.onFitStart',
      'cb.onSanityCheckStart',
      'module.onTrainEpochStart',
      'module.onTrainBatchStart 0',
      'module.onTrainBatchEnd 0',
      'module.onTrainBatchStart 1',
      'module.onTrainBatchEnd 1',
      'module.onValidationEpochStart',
      'module.onValidationEpochEnd',
      'cb.onValidationEpochEnd',
      'module.onTrainEpochEnd',
      'cb.onTrainEpochEnd epoch,train_loss,val_loss',
      'module.onFitEnd',
    ]);
    release({ trainer, module });
  });

  it('test() and predict() run on loaders and on a DataModule', async () => {
    const stages: string[] = [];
    class Data extends DataModule<Batch> {
      override prepareData() { stages.push('prepare'); }
      override setup(stage: string) { stages.push(stage); }
      trainDataloader() { return loader(8); }
      override valDataloader() { return loader(16); }
      override testDataloader() { return loader(8); }
      override predictDataloader() { return loader(16); }
    }
    const module = new Linear();
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 2, enableProgressBar: false });
    const data = new Data();
    await trainer.fit(module, data);
    const metrics = await trainer.test(module, data);
    assert.equal(module.testBatches, 4);
    assert.ok(Number.isFinite(metrics.test_loss) && metrics.test_loss < trainer.history[0].val_loss);
    const predictions = await trainer.predict(module, data);
    assert.equal(predictions.length, 2);
    assert.deepEqual(predictions[0].shape, [16, 1]);
    tf.dispose(predictions);
    assert.deepEqual(stages, ['prepare', 'fit', 'prepare', 'test', 'prepare', 'predict']);
    release({ trainer, module });
  });

  it('reads no tensor per step: reads per epoch do not grow with the number of batches', async () => {
    class Counting extends JsCpu {
      reads = 0;
      override async read(t: tf.Tensor) {
        this.reads++;
        return super.read(t);
      }
    }
    const readsFor = async (batchSize: number) => {
      const strategy = new Counting();
      await strategy.setup();
      const module = new Linear();
      const trainer = new Trainer({ strategy, maxEpochs: 2, logEveryNSteps: 1, enableProgressBar: false, numSanityValSteps: 0 });
      await trainer.fit(module, loader(batchSize), loader(16));
      release({ trainer, module });
      return { reads: strategy.reads, steps: trainer.globalStep };
    };
    const few = await readsFor(16); // 2 batches per epoch
    const many = await readsFor(4); // 8 batches per epoch
    assert.equal(many.steps, 4 * few.steps);
    // The epoch means cost a fixed number of reads; with no logger, step values are not even kept.
    assert.ok(few.reads > 0);
    assert.equal(many.reads, few.reads, `reads: ${few.reads} with 2 batches per epoch, ${many.reads} with 8`);
  });

  it('leaks no tensor with step logging, accumulation, clipping and validation', async () => {
    const strategy = await jsCpu();
    const module = new Linear();
    const counts: number[] = [];
    const trainer = new Trainer({
      strategy, maxEpochs: 3, accumulateGradBatches: 3, gradientClipVal: 0.1, logEveryNSteps: 1, enableProgressBar: false,
      callbacks: [{ onTrainEpochEnd: () => void counts.push(tf.memory().numTensors) }],
    });
    await trainer.fit(module, loader(8), loader(16));
    assert.equal(counts[2], counts[0], `tensors after each epoch: ${counts}`);
    release({ trainer, module });
  });

  it('trains on a one-shot async generator without losing a batch to the preflight', async () => {
    const strategy = await jsCpu();
    const module = new Linear();
    async function* batches() {
      for await (const b of loader(8)) yield b;
    }
    const trainer = new Trainer({ strategy, maxEpochs: 1, enableProgressBar: false });
    await trainer.fit(module, batches());
    assert.deepEqual(module.trainBatches, [0, 1, 2, 3]);
    assert.equal(trainer.globalStep, 4);
    release({ trainer, module });
  });

  it('fails at construction when the strategy lacks the precision, naming the precisions it declares', () => {
    assert.throws(
      () => new Trainer({ strategy: new JsCpu(), precision: '16-mixed' }),
      (e: unknown) =>
        e instanceof StrataError &&
        e.kind === 'unsupported-precision' &&
        e.value === '16-mixed' &&
        /Strategy 'cpu' cannot train in precision "16-mixed": its capabilities\(\)\.precisions declare "32"\./.test(e.message) &&
        /Fix: use precision "32" on 'cpu', or a strategy whose capabilities\(\)\.precisions include "16-mixed"/.test(e.message),
    );
    assert.throws(() => new Trainer({ strategy: new JsCpu(), precision: 'bf16' }), /"bf16-mixed"/);
  });

  it('a named strategy lacking the precision fails at the start of fit, before any step, listing the registered ones that have it', async () => {
    registerBackend('test-js-cpu', async () => ({ default: strategyModule('cpu', () => new JsCpu()) }));
    registerBackend('test-js-cpu-mixed', async () => ({ default: strategyModule('cpu-mixed', () => new JsCpuMixed()) }));
    const trainer = new Trainer({ strategy: 'cpu', precision: '16-mixed', enableProgressBar: false });
    const module = new Linear();
    await assert.rejects(
      trainer.fit(module, loader(8)),
      (e: unknown) => e instanceof StrataError && e.kind === 'unsupported-precision' && /Registered strategies that support it: 'cpu-mixed'\./.test(e.message),
    );
    assert.deepEqual(module.trainBatches, []);
    module.dispose();
  });
});
