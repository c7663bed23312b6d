import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Scripted, jsCpu, loader } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import type { TrainerOptions } from '../trainer-options.js';
import { EarlyStopping } from './early-stopping.js';
import { LearningRateMonitor } from './learning-rate-monitor.js';
import { ModelCheckpoint, formatCheckpointName, listCheckpoints } from './model-checkpoint.js';
import { NonFiniteLossStop } from './non-finite-loss-stop.js';
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/collate.js';
import { Linear } from '../testing/js-cpu.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strata-cb-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function fitScripted(script: number[], options: Partial<TrainerOptions>): Promise<{ trainer: Trainer; module: Scripted }> {
  const strategy = await jsCpu();
  const module = new Scripted(script);
  const trainer = new Trainer({ strategy, enableProgressBar: false, numSanityValSteps: 0, limitTrainBatches: 1, limitValBatches: 1, ...options });
  await trainer.fit(module, loader(8), loader(8));
  return { trainer, module };
}

function release(r: { trainer: Trainer; module: Scripted }): void {
  r.module.dispose();
  r.trainer.optimizer?.dispose();
}

describe('EarlyStopping', () => {
  it('stops when val_loss has not improved for `patience` epochs', async () => {
    const stopper = new EarlyStopping({ monitor: 'val_loss', patience: 3 });
    const r = await fitScripted([5, 4, 3, 3.5, 3.2, 3.1, 3.0, 2, 1], { maxEpochs: 20, callbacks: [stopper] });
    // Best at epoch 2; epochs 3, 4, 5 do not improve: stop after epoch 5.
    assert.equal(r.trainer.history.length, 6);
    assert.equal(stopper.stoppedEpoch, 5);
    assert.equal(stopper.bestScore, 3);
    assert.match(r.trainer.stopReason ?? '', /did not improve/);
    release(r);
  });

  it('minDelta: smaller improvements do not count; mode max', async () => {
    const stopper = new EarlyStopping({ monitor: 'val_loss', mode: 'max', patience: 2, minDelta: 0.5 });
    const r = await fitScripted([1, 2, 2.3, 2.4, 5], { maxEpochs: 20, callbacks: [stopper] });
    assert.equal(stopper.stoppedEpoch, 3); // 2.3 and 2.4 improve by < 0.5 on 2
    assert.equal(r.trainer.history.length, 4);
    release(r);
  });

  it('checkFinite stops at once on NaN; minEpochs defers the stop', async () => {
    const stopper = new EarlyStopping({ monitor: 'val_loss', patience: 5 });
    const r = await fitScripted([3, NaN, 1], { maxEpochs: 20, callbacks: [stopper] });
    assert.equal(r.trainer.history.length, 2);
    assert.match(stopper.stopReason ?? '', /not finite/);
    release(r);
    const late = new EarlyStopping({ monitor: 'val_loss', patience: 1 });
    const r2 = await fitScripted([1, 2, 3, 4, 5, 6], { maxEpochs: 20, minEpochs: 4, callbacks: [late] });
    assert.equal(r2.trainer.history.length, 4);
    release(r2);
  });

  it('with checkValEveryNEpoch 2, checks only after epochs that validated', async () => {
    const stopper = new EarlyStopping({ monitor: 'val_loss', patience: 2 });
    const dir = tempDir();
    const mc = new ModelCheckpoint({ dirpath: dir, monitor: 'val_loss', saveTopK: 1, filename: '{epoch}' });
    // Validations at epochs 1, 3, 5 (scripted by epoch): 5, 6, 7 never improve on 4.
    const r = await fitScripted([9, 4, 9, 5, 9, 6, 9, 7], { maxEpochs: 20, checkValEveryNEpoch: 2, callbacks: [stopper, mc] });
    assert.equal(stopper.stoppedEpoch, 5);
    assert.equal(r.trainer.history.length, 6);
    assert.deepEqual(await listCheckpoints(dir), ['epoch=1.ckpt']);
    release(r);
  });

  it('a monitor that is never logged is an error naming the logged ones', async () => {
    await assert.rejects(fitScripted([1], { maxEpochs: 2, callbacks: [new EarlyStopping({ monitor: 'val_acc' })] }), /monitors "val_acc".*one of: .*val_loss/);
  });
});

describe('ModelCheckpoint', () => {
  it('keeps exactly the top k by the monitored metric, plus last', async () => {
    const dir = tempDir();
    const mc = new ModelCheckpoint({ dirpath: dir, monitor: 'val_loss', saveTopK: 2, saveLast: true, filename: '{epoch}-{val_loss:.1f}' });
    const r = await fitScripted([5, 3, 4, 1, 2, 6], { maxEpochs: 6, callbacks: [mc] });
    assert.deepEqual(await listCheckpoints(dir), ['epoch=3-val_loss=1.0.ckpt', 'epoch=4-val_loss=2.0.ckpt', 'last.ckpt']);
    assert.deepEqual(readdirSync(dir).sort(), await listCheckpoints(dir), 'no stray files');
    assert.equal(mc.bestModelPath, join(dir, 'epoch=3-val_loss=1.0.ckpt'));
    assert.equal(mc.bestModelScore, 1);
    // 'best' resolves to it, and validate() loads its weights.
    assert.equal(await r.trainer.resolveCheckpointPath('best'), mc.bestModelPath);
    const metrics = await r.trainer.validate(r.module, loader(8), { ckptPath: 'best' });
    assert.ok('val_loss' in metrics);
    release(r);
  });

  it('without a monitor keeps the latest; saveTopK -1 keeps all; everyNTrainSteps saves by step', async () => {
    const latest = tempDir();
    const r1 = await fitScripted([1], { maxEpochs: 3, callbacks: [new ModelCheckpoint({ dirpath: latest })] });
    assert.deepEqual(await listCheckpoints(latest), ['epoch=2-step=3.ckpt']);
    release(r1);
    const all = tempDir();
    const r2 = await fitScripted([3, 2, 1], { maxEpochs: 3, callbacks: [new ModelCheckpoint({ dirpath: all, monitor: 'val_loss', saveTopK: -1 })] });
    assert.equal((await listCheckpoints(all)).length, 3);
    release(r2);
    const steps = tempDir();
    const r3 = await fitScripted([1], { maxEpochs: 2, limitTrainBatches: 4, callbacks: [new ModelCheckpoint({ dirpath: steps, everyNTrainSteps: 3, saveTopK: -1, monitor: 'train_loss', filename: '{step}' })] });
    // train_loss is known from the end of epoch 0 on: step 3 (epoch 0) has no score yet.
    assert.deepEqual(await listCheckpoints(steps), ['step=6.ckpt']);
    release(r3);
  });

  it('fills filename templates as Lightning does', () => {
    assert.equal(formatCheckpointName('{epoch}-{val_loss:.2f}', { epoch: 3, val_loss: 0.12345 }), 'epoch=3-val_loss=0.12');
    assert.equal(formatCheckpointName('{epoch}-{step}', { epoch: 0, step: 10 }), 'epoch=0-step=10');
    assert.equal(formatCheckpointName('best-{val/acc:.1e}', { 'val/acc': 0.5 }), 'best-val_acc=5.0e-1');
  });
});

describe('LearningRateMonitor', () => {
  it('logs lr-<Optimizer> each epoch', async () => {
    const monitor = new LearningRateMonitor();
    const r = await fitScripted([1], { maxEpochs: 3, callbacks: [monitor] });
    assert.deepEqual(monitor.lrs['lr-SGD'], [0.1, 0.1, 0.1]);
    assert.equal(r.trainer.callbackMetrics['lr-SGD'], 0.1);
    release(r);
  });
});

describe('stop on a non-finite loss', () => {
  /** Its loss turns NaN from the third epoch on. */
  class Diverging extends Linear {
    override trainingStep(batch: Batch, i: number): tf.Scalar {
      const loss = super.trainingStep(batch, i);
      return this.trainer!.currentEpoch >= 2 ? (tf.mul(loss, NaN) as tf.Scalar) : loss;
    }
  }

  it('is on by default: training stops after the epoch whose loss was NaN, with a warning', async () => {
    const strategy = await jsCpu();
    const warnings: string[] = [];
    const module = new Diverging();
    const trainer = new Trainer({ strategy, maxEpochs: 10, enableProgressBar: false, callbacks: [new NonFiniteLossStop('train_loss', (m) => warnings.push(m))] });
    await trainer.fit(module, loader(8));
    assert.equal(trainer.history.length, 3);
    assert.ok(Number.isNaN(trainer.history[2].train_loss));
    assert.match(warnings[0], /Stopping: train_loss was NaN in epoch 2 \(step 12\)/);
    assert.equal(trainer.callbacks.filter((c) => c instanceof NonFiniteLossStop).length, 1, 'the given one replaces the default');
    trainer.optimizer?.dispose();
    module.dispose();
    const defaults = new Trainer({ strategy, enableProgressBar: false });
    assert.ok(defaults.callbacks.some((c) => c instanceof NonFiniteLossStop));
    // Without stopOnNonFiniteLoss it only warns.
    const warnOnly = new Trainer({ strategy, stopOnNonFiniteLoss: false }).callbacks.filter((c) => c instanceof NonFiniteLossStop);
    assert.deepEqual(warnOnly.map((c) => c.stop), [false]);
  });
});
