import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { EarlyStopping } from '../callbacks/early-stopping.js';
import { ModelCheckpoint, listCheckpoints } from '../callbacks/model-checkpoint.js';
import { seedEverything, unseedEverything } from '@strata/core';
import { DropoutNet, FlatAdamDropoutNet } from '../testing/dropout-module.js';
import { killMidWrite } from '../testing/kill-mid-write.js';
import { Linear, jsCpu, linearData, loader, maxAbsDiff, values } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import type { TrainerOptions } from '../trainer-options.js';
import { readTrainerCheckpoint } from './checkpoint-connector.js';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-format.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strata-ckpt-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  unseedEverything();
});

const trainData = linearData;
const shuffled = () => loader(8, trainData, { shuffle: true, seed: 3 });

interface Run {
  weights: number[][];
  history: Record<string, number>[];
  globalStep: number;
  lr: number;
}

/** A deterministic run of DropoutNet: Adam, StepLr, dropout, shuffling, EarlyStopping state. */
async function run(
  seed: number,
  dir: string,
  options: Partial<TrainerOptions>,
  ckptPath?: string,
  init = 1,
  checkpoint: ConstructorParameters<typeof ModelCheckpoint>[0] = {},
  Module: typeof DropoutNet = DropoutNet,
): Promise<Run> {
  const strategy = await jsCpu();
  // After the strategy's set-up, as a script seeds before building its model.
  seedEverything(seed);
  const module = new Module(8, init);
  const trainer = new Trainer({
    strategy,
    deterministic: true,
    enableProgressBar: false,
    numSanityValSteps: 1,
    callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 50 }), new ModelCheckpoint({ dirpath: dir, saveLast: true, ...checkpoint })],
    ...options,
  });
  await trainer.fit(module, shuffled(), loader(16), ckptPath === undefined ? {} : { ckptPath });
  const result = {
    weights: await values(module.parameters()),
    history: trainer.history.map((h) => ({ ...h })),
    globalStep: trainer.globalStep,
    lr: trainer.lrSchedulers[0].scheduler.lr,
  };
  module.dispose();
  trainer.optimizer?.dispose();
  return result;
}

describe('checkpoints', () => {
  it('a deterministic run stopped after epoch 2 and resumed ends with the same weights and metrics', async () => {
    const whole = await run(7, tempDir(), { maxEpochs: 4 });

    const dir = tempDir();
    const first = await run(7, dir, { maxEpochs: 2 });
    assert.equal(first.history.length, 2);
    // Another seed and another initialisation: everything must come from the checkpoint.
    const resumed = await run(1234, dir, { maxEpochs: 4 }, 'last', 99);

    assert.equal(resumed.globalStep, whole.globalStep);
    assert.equal(maxAbsDiff(resumed.weights, whole.weights), 0, 'weights differ');
    assert.deepEqual(resumed.history, whole.history);
    assert.equal(resumed.lr, whole.lr);
    assert.ok(Math.abs(whole.lr - 0.01 * 0.7 ** 4) < 1e-12);
  });

  /** Fits with `options` (seed 7), saves with trainer.saveCheckpoint() after fit() returns, and gives the file and its meta. */
  async function saveAfterFit(options: Partial<TrainerOptions>): Promise<{ path: string; meta: { epoch: number; batchIndex: number } }> {
    const strategy = await jsCpu();
    seedEverything(7);
    const module = new DropoutNet(8, 1);
    const callbacks = [new EarlyStopping({ monitor: 'val_loss', patience: 50 }), new ModelCheckpoint({ dirpath: tempDir(), saveLast: true })];
    const trainer = new Trainer({ strategy, deterministic: true, enableProgressBar: false, numSanityValSteps: 1, callbacks, ...options });
    await trainer.fit(module, shuffled(), loader(16));
    const path = join(tempDir(), 'after-fit.ckpt');
    await trainer.saveCheckpoint(path);
    module.dispose();
    trainer.optimizer?.dispose();
    return { path, meta: (await readTrainerCheckpoint(path)).meta };
  }

  it('a checkpoint saved with trainer.saveCheckpoint() after fit() returns resumes at the next epoch, all of its batches', async () => {
    const whole = await run(7, tempDir(), { maxEpochs: 3 });
    const { path, meta } = await saveAfterFit({ maxEpochs: 2 });
    assert.equal(meta.epoch, 2);
    assert.equal(meta.batchIndex, 0);
    const resumed = await run(1234, tempDir(), { maxEpochs: 3 }, path, 99);
    assert.equal(resumed.globalStep, whole.globalStep);
    assert.equal(maxAbsDiff(resumed.weights, whole.weights), 0, 'weights differ');
    assert.deepEqual(resumed.history, whole.history);
  });

  it('a checkpoint saved with trainer.saveCheckpoint() after a maxSteps stop mid-epoch keeps that epoch\'s running metrics', async () => {
    const whole = await run(7, tempDir(), { maxEpochs: 3 });
    // Stops after 6 steps: epoch 1, after 2 of its 4 batches.
    const { path, meta } = await saveAfterFit({ maxEpochs: 3, maxSteps: 6 });
    assert.equal(meta.epoch, 1);
    assert.equal(meta.batchIndex, 2);
    const resumed = await run(1234, tempDir(), { maxEpochs: 3 }, path, 99);
    assert.equal(maxAbsDiff(resumed.weights, whole.weights), 0, 'weights differ');
    // Epoch 1's train_loss is the mean over all 4 of its batches: the 2 before the stop came from the checkpoint.
    assert.deepEqual(resumed.history, whole.history);
  });

  it('resumes mid-epoch from a step checkpoint with the same result', async () => {
    const whole = await run(11, tempDir(), { maxEpochs: 3 });
    const dir = tempDir();
    seedEverything(11);
    // Stop after 6 steps (epoch 1, batch 2 of 4), saving every 3 steps.
    await run(11, dir, { maxEpochs: 3, maxSteps: 6 }, undefined, 1, { everyNTrainSteps: 3, saveTopK: -1 });
    const meta = (await readTrainerCheckpoint(join(dir, 'last.ckpt'))).meta;
    assert.equal(meta.epoch, 1);
    assert.equal(meta.batchIndex, 2);
    const resumed = await run(5, dir, { maxEpochs: 3 }, 'last', 42, { everyNTrainSteps: 3, saveTopK: -1 });
    assert.equal(maxAbsDiff(resumed.weights, whole.weights), 0, 'weights differ');
    assert.deepEqual(resumed.history, whole.history);
  });

  it("resumes FlatAdam's flat moments mid-epoch with the same result", async () => {
    const whole = await run(11, tempDir(), { maxEpochs: 3 }, undefined, 1, {}, FlatAdamDropoutNet);
    const dir = tempDir();
    await run(11, dir, { maxEpochs: 3, maxSteps: 6 }, undefined, 1, { everyNTrainSteps: 3, saveTopK: -1 }, FlatAdamDropoutNet);
    const file = await readTrainerCheckpoint(join(dir, 'last.ckpt'));
    assert.equal(file.meta.optimizer.className, 'StrataFlatAdam');
    // tf.train.adam's layout: the iteration count, then m and v for each of the 3 variables.
    assert.equal(file.tensors.filter((t) => t.key.startsWith('optimizer/')).length, 7);
    const resumed = await run(5, dir, { maxEpochs: 3 }, 'last', 42, { everyNTrainSteps: 3, saveTopK: -1 }, FlatAdamDropoutNet);
    assert.equal(maxAbsDiff(resumed.weights, whole.weights), 0, 'weights differ');
    assert.deepEqual(resumed.history, whole.history);
    // A tf.train.adam checkpoint does not load into FlatAdam unnoticed.
    await assert.rejects(run(5, dir, { maxEpochs: 3 }, 'last', 42, {}, DropoutNet), /holds StrataFlatAdam state; configureOptimizers returned Adam/);
  });

  it('stores weights, optimizer slots, schedulers, callbacks, RNG, hyperparameters and the config hash', async () => {
    const dir = tempDir();
    await run(3, dir, { maxEpochs: 1 });
    const file = await readTrainerCheckpoint(join(dir, 'last.ckpt'));
    const keys = file.tensors.map((t) => t.key);
    assert.deepEqual(keys.filter((k) => k.startsWith('module/')), ['module/0', 'module/1', 'module/2']);
    // Adam: the iteration count, then m and v for each of the 3 variables.
    assert.equal(keys.filter((k) => k.startsWith('optimizer/')).length, 7);
    assert.equal(file.meta.optimizer.className, 'Adam');
    assert.equal(file.meta.epoch, 1);
    assert.equal(file.meta.globalStep, 4);
    assert.deepEqual(file.meta.hyperparameters, { hidden: 8, lr: 0.01 });
    assert.equal(file.meta.lrSchedulers.length, 1);
    assert.ok(file.meta.rng && file.meta.rng.seed === 3);
    assert.match(file.meta.configHash, /^[0-9a-f]{8}$/);
    assert.ok(Object.keys(file.meta.callbacks).some((k) => k.startsWith('EarlyStopping')));
  });

  it('resuming with another model shape or another config is a clear error', async () => {
    const dir = tempDir();
    await run(3, dir, { maxEpochs: 1 });
    const wider = new DropoutNet(16);
    const t1 = new Trainer({ strategy: await jsCpu(), maxEpochs: 2, enableProgressBar: false, callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true })] });
    await assert.rejects(t1.fit(wider, shuffled(), { ckptPath: 'last' }), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'checkpoint-mismatch');
      assert.match(e.message, /variable 0 .* of shape \[2,8\].*is \[2,16\].*same model architecture/);
      return true;
    });
    wider.dispose();
    t1.optimizer?.dispose();
    const same = new DropoutNet(8);
    const t2 = new Trainer({ strategy: await jsCpu(), maxEpochs: 2, accumulateGradBatches: 2, gradientClipVal: 1, enableProgressBar: false, callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true })] });
    await assert.rejects(t2.fit(same, shuffled(), { ckptPath: join(dir, 'last.ckpt') }), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'checkpoint-mismatch');
      assert.match(e.message, /accumulateGradBatches: checkpoint 1, Trainer 2; gradientClipVal: checkpoint null, Trainer 1/);
      return true;
    });
    same.dispose();
    t2.optimizer?.dispose();
  });

  it('ckptPath: "last" without a last.ckpt names the fix', async () => {
    const strategy = await jsCpu();
    const module = new Linear();
    const trainer = new Trainer({ strategy, enableProgressBar: false, callbacks: [new ModelCheckpoint({ dirpath: tempDir() })] });
    await assert.rejects(trainer.fit(module, loader(8), { ckptPath: 'last' }), /found no .*last\.ckpt.*saveLast: true/);
    module.dispose();
  });

  it('round-trips tensors of every dtype through the file format', async () => {
    const path = join(tempDir(), 'x.ckpt');
    const f = Float32Array.of(1.5, -2, 3);
    const i = Int32Array.of(7, -8);
    const b = Uint8Array.of(1, 0, 1, 1, 0);
    await writeCheckpointFile(path, { hello: 'world' }, [
      { key: 'a', name: 'a', dtype: 'float32', shape: [3], data: f },
      { key: 'b', name: 'b', dtype: 'bool', shape: [5], data: b },
      { key: 'c', name: 'c', dtype: 'int32', shape: [2, 1], data: i },
    ]);
    const back = await readCheckpointFile<{ hello: string }>(path);
    assert.equal(back.meta.hello, 'world');
    assert.deepEqual(Array.from(back.tensors[0].data), [1.5, -2, 3]);
    assert.deepEqual(Array.from(back.tensors[1].data), [1, 0, 1, 1, 0]);
    assert.deepEqual(Array.from(back.tensors[2].data), [7, -8]);
    assert.deepEqual(back.tensors[2].shape, [2, 1]);
  });

  it('a process killed (SIGKILL) while writing a checkpoint leaves the previous one loadable', async () => {
    const dir = tempDir();
    assert.equal(await killMidWrite('kill-writer-child.ts', [dir]), 'SIGKILL');
    // The kill landed mid-write: a temporary file holds part of the new checkpoint.
    const stray = readdirSync(dir).filter((f) => f.includes('.tmp-'));
    assert.equal(stray.length, 1, `files: ${readdirSync(dir)}`);
    assert.deepEqual(await listCheckpoints(dir), ['epoch=0-step=4.ckpt', 'last.ckpt']);
    const meta = (await readTrainerCheckpoint(join(dir, 'last.ckpt'))).meta;
    assert.equal(meta.epoch, 1, 'last.ckpt should still be the epoch-0 checkpoint');
    // And it resumes.
    const strategy = await jsCpu();
    const module = new Linear();
    const trainer = new Trainer({ strategy, maxEpochs: 2, enableProgressBar: false, callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true })] });
    await trainer.fit(module, loader(8), { ckptPath: 'last' });
    assert.equal(trainer.history.length, 2);
    assert.equal(trainer.globalStep, 8);
    assert.ok(existsSync(join(dir, 'last.ckpt')));
    // The restart removed the temporary file the killed write left.
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
    module.dispose();
    trainer.optimizer?.dispose();
  });
});
