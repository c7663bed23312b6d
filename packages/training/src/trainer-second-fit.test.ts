import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import type { Callback } from './callback.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { DropoutNet } from './testing/dropout-module.js';
import { Linear, Scripted, jsCpu, loader, maxAbsDiff, values } from './testing/js-cpu.js';
import { Trainer } from './trainer.js';

/** Stops training once, at the end of the first epoch it sees. */
function stopOnce(): Callback {
  let stopped = false;
  return {
    onTrainEpochEnd: (t) => {
      if (stopped) return;
      stopped = true;
      t.shouldStop = true;
    },
  };
}

/** Counts configureOptimizers calls. */
class CountingLinear extends Linear {
  optimizers = 0;
  override configureOptimizers(): tf.Optimizer {
    this.optimizers++;
    return super.configureOptimizers() as tf.Optimizer;
  }
}

/** A DropoutNet without the initial-value tensors its constructor leaves (tf.variable copies them; tidy keeps variables). */
function dropoutNet(): DropoutNet {
  let net: DropoutNet | undefined;
  tf.tidy(() => {
    net = new DropoutNet();
  });
  return net!;
}

describe('a second fit on the same Trainer', () => {
  // Modules make their variables at construction: the tfjs backend must exist first.
  before(() => jsCpu());

  it('with the same module continues from the epoch, step and optimizer where the first stopped', async () => {
    const module = new CountingLinear();
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 3, enableProgressBar: false, preflight: false, callbacks: [stopOnce()] });
    await trainer.fit(module, loader(8));
    assert.equal(trainer.currentEpoch, 1);
    assert.equal(trainer.globalStep, 4);
    const optimizer = trainer.optimizer;
    await trainer.fit(module, loader(8));
    assert.deepEqual(trainer.history.map((h) => h.epoch), [0, 1, 2]);
    assert.equal(trainer.currentEpoch, 3);
    assert.equal(trainer.globalStep, 12);
    assert.equal(trainer.optimizer, optimizer);
    assert.equal(module.optimizers, 1);
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('an epoch a stop request cut short resumes at its next batch', async () => {
    const module = new Linear();
    let stopped = false;
    const stopAtBatch1: Callback = {
      onTrainBatchEnd: (t, _m, i) => {
        if (stopped || i !== 1) return;
        stopped = true;
        t.shouldStop = true;
      },
    };
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 2, enableProgressBar: false, preflight: false, callbacks: [stopAtBatch1] });
    await trainer.fit(module, loader(8));
    assert.deepEqual(module.trainBatches, [0, 1]);
    assert.equal(trainer.history.length, 0);
    await trainer.fit(module, loader(8));
    assert.deepEqual(module.trainBatches, [0, 1, 2, 3, 0, 1, 2, 3]);
    assert.equal(trainer.globalStep, 8);
    assert.deepEqual(trainer.history.map((h) => h.epoch), [0, 1]);
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('with the same module at maxEpochs warns, naming maxEpochs, and runs nothing', async (t) => {
    const warned: string[] = [];
    t.mock.method(console, 'warn', (m: string) => void warned.push(m));
    const module = new Linear();
    let fitStarts = 0;
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 2, enableProgressBar: false, preflight: false, callbacks: [{ onFitStart: () => void fitStarts++ }] });
    await trainer.fit(module, loader(8));
    const before = await values(module.parameters());
    await trainer.fit(module, loader(8));
    assert.equal(warned.length, 1);
    assert.match(warned[0], /^Trainer\.fit: nothing to run: this module has already trained maxEpochs=2 epochs on this Trainer\./);
    assert.equal(fitStarts, 1);
    assert.equal(trainer.globalStep, 8);
    assert.deepEqual(module.trainBatches.length, 8);
    assert.deepEqual(await values(module.parameters()), before);
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('with another module starts a new run: its own optimizer, counters from 0, fresh callbacks', async () => {
    const first = new CountingLinear(0.1);
    const second = new CountingLinear(0.05);
    const early = new EarlyStopping({ monitor: 'val_loss', patience: 5 });
    const seenAtFitStart: string[] = [];
    const watcher: Callback = { onFitStart: (t) => void seenAtFitStart.push(`epoch ${t.currentEpoch} step ${t.globalStep} wait ${early.waitCount} history ${t.history.length}`) };
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 2, enableProgressBar: false, preflight: false, numSanityValSteps: 0, callbacks: [early, watcher] });
    // val_loss rises every epoch, so EarlyStopping counts checks without improvement.
    const rising = new Scripted([1, 2, 3]);
    await trainer.fit(rising, loader(8), loader(16));
    assert.equal(early.waitCount, 1);
    rising.dispose();

    await trainer.fit(first, loader(8), loader(16));
    const firstOptimizer = trainer.optimizer;
    const firstTrained = await values([first.w, first.b]);
    const secondInitial = await values([second.w, second.b]);
    await trainer.fit(second, loader(8), loader(16));

    assert.notEqual(trainer.optimizer, firstOptimizer);
    assert.equal(first.optimizers, 1);
    assert.equal(second.optimizers, 1);
    assert.equal(trainer.globalStep, 8);
    assert.deepEqual(trainer.history.map((h) => h.epoch), [0, 1]);
    assert.deepEqual(seenAtFitStart, ['epoch 0 step 0 wait 0 history 0', 'epoch 0 step 0 wait 0 history 0', 'epoch 0 step 0 wait 0 history 0']);
    assert.ok(maxAbsDiff(await values([second.w, second.b]), secondInitial) > 1e-3, 'the new module trained');
    assert.deepEqual(await values([first.w, first.b]), firstTrained, 'the previous module did not change');
    first.dispose();
    second.dispose();
    trainer.optimizer?.dispose();
  });

  it('keeps tf.memory().numTensors flat across fits of new modules: the previous optimizer is disposed', async () => {
    const trainer = new Trainer({ strategy: await jsCpu(), maxEpochs: 1, enableProgressBar: false, numSanityValSteps: 0 });
    // After each count one module and its optimizer are alive: the count stays put only if the
    // Trainer disposed the optimizer of the run before.
    const first = dropoutNet();
    await trainer.fit(first, loader(8), loader(16));
    const second = dropoutNet();
    await trainer.fit(second, loader(8), loader(16));
    first.dispose();
    const afterSecond = tf.memory().numTensors;
    const third = dropoutNet();
    await trainer.fit(third, loader(8), loader(16));
    second.dispose();
    const afterThird = tf.memory().numTensors;
    assert.equal(afterThird, afterSecond, `tensors after the second fit: ${afterSecond}, after the third: ${afterThird}`);
    third.dispose();
    trainer.optimizer?.dispose();
  });
});
