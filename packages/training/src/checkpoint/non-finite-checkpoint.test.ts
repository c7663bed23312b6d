import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { ModelCheckpoint, listCheckpoints, type ModelCheckpointOptions } from '../callbacks/model-checkpoint.js';
import { DivergingLinear, recordWarnings } from '../testing/diverging.js';
import { Linear, jsCpu, loader, values } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import type { TrainerOptions } from '../trainer-options.js';
import { readTrainerCheckpoint } from './checkpoint-connector.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strata-nonfinite-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// loader(8) gives 4 batches an epoch: step 8 is the first of epoch 2.
const NAN_FROM_STEP = 8;

/** Trains a DivergingLinear whose loss and weights turn NaN at NAN_FROM_STEP; returns the warnings. */
async function diverge(dir: string, checkpoint: ModelCheckpointOptions, options: Partial<TrainerOptions> = {}): Promise<{ warnings: string[]; trainer: Trainer }> {
  const strategy = await jsCpu();
  const module = new DivergingLinear(NAN_FROM_STEP);
  const trainer = new Trainer({ strategy, maxEpochs: 5, enableProgressBar: false, callbacks: [new ModelCheckpoint({ dirpath: dir, ...checkpoint })], ...options });
  const warnings = await recordWarnings(() => trainer.fit(module, loader(8), loader(8)));
  module.dispose();
  trainer.optimizer?.dispose();
  return { warnings, trainer };
}

/** Every float in the file's tensors is finite. */
async function assertFinite(path: string): Promise<void> {
  const file = await readTrainerCheckpoint(path);
  for (const t of file.tensors) if (t.dtype === 'float32') assert.ok(Array.from(t.data).every(Number.isFinite), `${path}: ${t.name} is not finite`);
}

/** Resumes a healthy module from `path` for `maxEpochs` and checks that it trains on with finite weights. */
async function resumeFrom(dir: string, path: string, maxEpochs: number, checkpoint: ModelCheckpointOptions): Promise<Trainer> {
  const strategy = await jsCpu();
  const module = new Linear();
  const trainer = new Trainer({ strategy, maxEpochs, enableProgressBar: false, callbacks: [new ModelCheckpoint({ dirpath: dir, ...checkpoint })] });
  await trainer.fit(module, loader(8), loader(8), { ckptPath: path });
  assert.equal(trainer.history.length, maxEpochs);
  assert.ok(trainer.history.every((h) => Number.isFinite(h.train_loss)), JSON.stringify(trainer.history));
  assert.ok((await values(module.parameters())).flat().every(Number.isFinite));
  module.dispose();
  trainer.optimizer?.dispose();
  return trainer;
}

describe('a non-finite loss keeps the last finite checkpoint', () => {
  it('default ModelCheckpoint: the epoch-1 file stays, no NaN file is written, and it resumes', async () => {
    const dir = tempDir();
    const { warnings, trainer } = await diverge(dir, {});
    assert.equal(trainer.history.length, 3, 'stopOnNonFiniteLoss stops after the NaN epoch');
    assert.deepEqual(await listCheckpoints(dir), ['epoch=1-step=8.ckpt']);
    await assertFinite(join(dir, 'epoch=1-step=8.ckpt'));
    const skipped = warnings.filter((w) => w.startsWith('ModelCheckpoint'));
    assert.equal(skipped.length, 1);
    assert.match(skipped[0], /train_loss was NaN at epoch 2, step 12: no checkpoint saved and none removed; the last finite ones stay: .*epoch=1-step=8\.ckpt/);
    await resumeFrom(dir, join(dir, 'epoch=1-step=8.ckpt'), 4, {});
  });

  it('top-k with monitor and saveLast: the best files and a finite last.ckpt stay, and last resumes', async () => {
    const dir = tempDir();
    await diverge(dir, { monitor: 'val_loss', saveTopK: 2, saveLast: true, filename: '{epoch}' });
    assert.deepEqual(await listCheckpoints(dir), ['epoch=0.ckpt', 'epoch=1.ckpt', 'last.ckpt']);
    for (const f of await listCheckpoints(dir)) await assertFinite(join(dir, f));
    const last = await readTrainerCheckpoint(join(dir, 'last.ckpt'));
    assert.equal(last.meta.epoch, 2, 'last.ckpt holds the end of epoch 1');
    const state = Object.values(last.meta.callbacks).find((s) => (s as { bestKModels?: unknown }).bestKModels) as { bestModelPath: string };
    assert.equal(state.bestModelPath, join(dir, 'epoch=1.ckpt'));
    const resumed = await resumeFrom(dir, 'last', 4, { monitor: 'val_loss', saveTopK: 2, saveLast: true, filename: '{epoch}' });
    assert.equal(resumed.globalStep, 16);
    assert.deepEqual(await listCheckpoints(dir), ['epoch=2.ckpt', 'epoch=3.ckpt', 'last.ckpt']);
  });

  it('a checkpoint every step: last.ckpt keeps the last finite step, and resuming inside the epoch works', async () => {
    const dir = tempDir();
    const { warnings } = await diverge(dir, { everyNTrainSteps: 1, saveTopK: -1, saveLast: true, filename: '{step}' });
    const names = await listCheckpoints(dir);
    assert.deepEqual(names, [...Array.from({ length: NAN_FROM_STEP }, (_, i) => `step=${i + 1}.ckpt`), 'last.ckpt'].sort());
    for (const f of names) await assertFinite(join(dir, f));
    const last = await readTrainerCheckpoint(join(dir, 'last.ckpt'));
    // Step 8 is the last batch of epoch 1, saved before that epoch's end.
    assert.equal(last.meta.globalStep, NAN_FROM_STEP);
    assert.equal(last.meta.epoch, 1);
    assert.equal(last.meta.batchIndex, 4);
    assert.equal(warnings.filter((w) => w.startsWith('ModelCheckpoint')).length, 1, 'one warning per fit');
    assert.match(warnings.find((w) => w.startsWith('ModelCheckpoint')) ?? '', /model variable linear_w\d+ holds NaN at epoch 2, step 9:/);
    await resumeFrom(dir, 'last', 3, { everyNTrainSteps: 1, saveTopK: -1, saveLast: true, filename: '{step}' });
  });

  it('a step checkpoint inside a partly NaN epoch is refused, and one from mid-epoch resumes', async () => {
    const dir = tempDir();
    // NaN from step 10: steps 9 and 10 of epoch 2 are finite, the running sums of epoch 2 too.
    const strategy = await jsCpu();
    const module = new DivergingLinear(10);
    const trainer = new Trainer({ strategy, maxEpochs: 5, enableProgressBar: false, callbacks: [new ModelCheckpoint({ dirpath: dir, everyNTrainSteps: 1, saveTopK: 0, saveLast: true })] });
    await recordWarnings(() => trainer.fit(module, loader(8)));
    module.dispose();
    trainer.optimizer?.dispose();
    const last = await readTrainerCheckpoint(join(dir, 'last.ckpt'));
    assert.equal(last.meta.globalStep, 10);
    assert.equal(last.meta.batchIndex, 2);
    assert.ok(Number.isFinite(last.meta.trainMetrics.train_loss.sum));
    await resumeFrom(dir, 'last', 3, { everyNTrainSteps: 1, saveTopK: 0, saveLast: true });
  });

  it('stopOnNonFiniteLoss: false warns on each NaN epoch and still keeps the good files', async () => {
    const dir = tempDir();
    const { warnings, trainer } = await diverge(dir, { saveLast: true }, { stopOnNonFiniteLoss: false });
    assert.equal(trainer.history.length, 5);
    const epochWarnings = warnings.filter((w) => /^train_loss was NaN in epoch/.test(w));
    assert.deepEqual(
      epochWarnings.map((w) => /epoch (\d+)/.exec(w)?.[1]),
      ['2', '3', '4'],
      warnings.join('\n'),
    );
    assert.ok(epochWarnings.every((w) => /training goes on \(stopOnNonFiniteLoss: false\)/.test(w)));
    assert.equal(warnings.filter((w) => w.startsWith('ModelCheckpoint')).length, 1);
    assert.deepEqual(await listCheckpoints(dir), ['epoch=1-step=8.ckpt', 'last.ckpt']);
    for (const f of await listCheckpoints(dir)) await assertFinite(join(dir, f));
    assert.equal((await readTrainerCheckpoint(join(dir, 'last.ckpt'))).meta.epoch, 2);
  });

  it('Trainer.saveCheckpoint refuses a NaN state with an error naming the variable, unless allowNonFinite', async () => {
    const dir = tempDir();
    const strategy = await jsCpu();
    const module = new DivergingLinear(0);
    const errors: unknown[] = [];
    const trainer = new Trainer({
      strategy,
      maxEpochs: 1,
      enableProgressBar: false,
      enableCheckpointing: false,
      stopOnNonFiniteLoss: false,
      callbacks: [
        {
          async onTrainEpochEnd(t) {
            await t.saveCheckpoint(join(dir, 'refused.ckpt')).catch((e: unknown) => errors.push(e));
            await t.saveCheckpoint(join(dir, 'forced.ckpt'), { allowNonFinite: true });
          },
        },
      ],
    });
    await recordWarnings(() => trainer.fit(module, loader(8)));
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof StrataError && errors[0].kind === 'non-finite');
    assert.match((errors[0] as Error).message, /refused\.ckpt" not written: model variable linear_w\d+ holds NaN \(epoch 0, step 4\)\. Fix: lower the learning rate/);
    assert.deepEqual(await listCheckpoints(dir), ['forced.ckpt']);
    const forced = await readTrainerCheckpoint(join(dir, 'forced.ckpt'));
    assert.ok(Number.isNaN(forced.meta.history[0].train_loss));
    module.dispose();
    trainer.optimizer?.dispose();
  });
});
