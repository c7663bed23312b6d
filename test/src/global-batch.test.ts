// Trainer({ globalBatchSize }) on a local XLA server with 8 forced CPU devices and on a mesh of
// two servers with 4 each (jax.distributed): the same global batch gives the same loss curve on
// 1 device, on 8 and on 2x4 (a batch of 30 padded and masked over 8, 32 split evenly, 32 as 2
// accumulated micro-batches of 16 with deviceBatchSize: 2), and a checkpoint written on 2x4
// devices continues on 1 (and the reverse) as the uninterrupted run does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  DataLoader,
  FlatAdam,
  LambdaLr,
  Trainer,
  TrainingModule,
  arrayDataset,
  readTrainerCheckpoint,
  type Batch,
  type Callback,
  type EpochMetrics,
  type OptimizerConfig,
  type Sample,
  type TrainerOptions,
  type TrainerView,
} from '@strata/training';
import { XlaStrategy, startLocalXlaMesh, type LocalXlaMesh } from '@strata/xla';
import { serverSkipReason, startServer, type ServerProcess } from '@strata/xla/testing';

const FEATURES = 3;
const TOLERANCE = 1e-4;

/** A two-layer regressor built on the strategy's backend, with Adam and a learning rate that changes every step. */
class Regressor extends TrainingModule<Batch> {
  w1!: tf.Variable;
  w2!: tf.Variable;

  override configureModel(): void {
    this.w1 = tf.variable(tf.tensor2d(Array.from({ length: FEATURES * 4 }, (_, i) => Math.sin(i + 1) * 0.5), [FEATURES, 4]), true, `gb_w1_${modules}`);
    this.w2 = tf.variable(tf.tensor2d(Array.from({ length: 4 }, (_, i) => Math.cos(i + 1) * 0.5), [4, 1]), true, `gb_w2_${modules++}`);
  }

  override parameters(): tf.Variable[] {
    return [this.w1, this.w2];
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(tf.tanh(tf.matMul(x, this.w1)), this.w2);
  }

  trainingStep(batch: Batch): tf.Scalar {
    return tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }

  override validationStep(batch: Batch): void {
    this.log('val_loss', tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)));
  }

  configureOptimizers(): OptimizerConfig {
    const optimizer = new FlatAdam(0.05);
    return { optimizer, lrScheduler: { scheduler: new LambdaLr(optimizer, (step) => 1 / (1 + 0.1 * step)), interval: 'step' } };
  }
}
let modules = 0;

function samples(n: number, seed: number): Sample[] {
  return Array.from({ length: n }, (_, i) => {
    const x = Float32Array.from({ length: FEATURES }, (_, k) => Math.sin(seed * 131 + i * 7.3 + k * 1.7));
    return { x: { data: x, shape: [FEATURES] }, y: Math.cos(x[0] * 2) + 0.5 * x[1] * x[2] };
  });
}

/**
 * Records the compilations at each epoch's end (a retrace per step would add some in every
 * epoch), the step a fit starts from (after a restore) and the training batches it runs.
 */
class Compilations implements Callback {
  readonly counts: number[] = [];
  startStep = -1;
  batches = 0;
  constructor(private readonly strategy: XlaStrategy) {}
  onFitStart(trainer: TrainerView): void {
    this.startStep = trainer.globalStep;
  }
  onTrainBatchEnd(): void {
    this.batches++;
  }
  onTrainEpochEnd(): void {
    this.counts.push(this.strategy.stats().compilations);
  }
}

/** Saves a checkpoint once, inside the fit, right after optimizer step `step` (mid-epoch: with its running sums). */
class SaveAtStep implements Callback {
  private saved = false;
  constructor(
    private readonly step: number,
    private readonly path: string,
  ) {}
  async onTrainBatchEnd(trainer: TrainerView): Promise<void> {
    if (this.saved || trainer.globalStep !== this.step) return;
    this.saved = true;
    await trainer.saveCheckpoint(this.path);
  }
}

interface Run {
  history: EpochMetrics[];
  weights: number[];
  compilations: number[];
  accumulation: number;
  startStep: number;
  batches: number;
  predictions?: number[][];
}

describe('Trainer globalBatchSize on 1, 8 and 2x4 XLA:CPU devices', { skip: serverSkipReason() }, () => {
  let server: ServerProcess;
  let mesh: LocalXlaMesh;
  const work = mkdtempSync(join(tmpdir(), 'strata-global-batch-'));
  before(async () => {
    [server, mesh] = await Promise.all([startServer({ devices: 8 }), startLocalXlaMesh({ processes: 2, devicesPerProcess: 4 })]);
  });
  after(async () => {
    await Promise.all([server?.stop(), mesh?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  /**
   * Trains a fresh Regressor on `devices` devices of the one server, or on the 8 devices of the
   * two-server mesh (the loader's own batch size is 10: the Trainer re-batches it).
   */
  async function train(
    devices: number | 'mesh 2x4',
    options: TrainerOptions,
    data: { train: number; maxEpochs: number; ckpt?: string; saveAt?: { step: number; path: string }; predictRows?: number },
  ): Promise<Run> {
    const strategy = devices === 'mesh 2x4' ? new XlaStrategy({ addresses: mesh.addresses, cores: 8 }) : new XlaStrategy({ address: server.address, cores: devices });
    const compilations = new Compilations(strategy);
    const callbacks: Callback[] = [compilations];
    if (data.saveAt !== undefined) callbacks.push(new SaveAtStep(data.saveAt.step, data.saveAt.path));
    const trainer = new Trainer({ strategy, maxEpochs: data.maxEpochs, numSanityValSteps: 0, enableProgressBar: false, logger: false, callbacks, ...options });
    const module = new Regressor();
    const trainLoader = new DataLoader(arrayDataset(samples(data.train, 1)), { batchSize: 10, shuffle: true, seed: 7 });
    const valLoader = new DataLoader(arrayDataset(samples(40, 2)), { batchSize: 40 });
    try {
      await trainer.fit(module, trainLoader, valLoader, data.ckpt === undefined ? {} : { ckptPath: data.ckpt });
      const run: Run = {
        history: [...trainer.history],
        weights: [...(await strategy.read(module.w1)), ...(await strategy.read(module.w2))],
        compilations: compilations.counts,
        accumulation: trainer.accumulateGradBatches,
        startStep: compilations.startStep,
        batches: compilations.batches,
      };
      if (data.predictRows !== undefined) {
        const predictLoader = new DataLoader(arrayDataset(samples(data.predictRows, 3)), { batchSize: data.predictRows });
        const predictions = await trainer.predict<Batch>(module, predictLoader);
        run.predictions = [];
        for (const p of predictions) {
          assert.deepEqual(p.shape, [data.predictRows, 1]);
          run.predictions.push([...(await strategy.read(p))]);
          p.dispose();
        }
      }
      return run;
    } finally {
      await strategy.teardown();
    }
  }

  /** The largest difference between two runs' epoch losses (train and validation) and final weights. */
  function difference(a: Run, b: Run): { curve: number; weights: number } {
    assert.equal(a.history.length, b.history.length, 'epochs');
    let curve = 0;
    a.history.forEach((h, i) => {
      for (const key of ['train_loss', 'val_loss']) {
        assert.ok(Number.isFinite(h[key]) && Number.isFinite(b.history[i][key]), `epoch ${i} ${key}: ${h[key]} vs ${b.history[i][key]}`);
        curve = Math.max(curve, Math.abs(h[key] - b.history[i][key]));
      }
    });
    const weights = Math.max(...a.weights.map((w, i) => Math.abs(w - b.weights[i])));
    return { curve, weights };
  }

  function assertSame(label: string, a: Run, b: Run): void {
    const { curve, weights } = difference(a, b);
    console.log(`${label}: max loss-curve difference ${curve.toExponential(2)}, max weight difference ${weights.toExponential(2)}`);
    assert.ok(curve < TOLERANCE, `${label}: curves differ by ${curve}: ${JSON.stringify(a.history)} vs ${JSON.stringify(b.history)}`);
    assert.ok(weights < TOLERANCE, `${label}: weights differ by ${weights}`);
  }

  test('a global batch of 30 trains on 8 devices (padded and masked) as on 1, with no retrace per step', async () => {
    const data = { train: 90, maxEpochs: 3, predictRows: 30 };
    const eight = await train(8, { globalBatchSize: 30 }, data);
    const one = await train(1, { globalBatchSize: 30 }, data);
    const twoByFour = await train('mesh 2x4', { globalBatchSize: 30 }, data);
    assertSame('globalBatchSize 30, 8 devices vs 1', eight, one);
    assertSame('globalBatchSize 30, a mesh of 2x4 devices vs 1 device', twoByFour, one);
    assert.ok(eight.history[2].train_loss < eight.history[0].train_loss, 'the loss falls');
    assert.equal(eight.accumulation, 1);
    // Compiled in the first epoch, replayed in the others.
    assert.equal(eight.compilations[2], eight.compilations[0], `compilations at each epoch end: ${eight.compilations}`);
    const predictions = Math.max(...eight.predictions![0].map((p, i) => Math.abs(p - one.predictions![0][i])));
    console.log(`globalBatchSize 30: predictions of 30 rows, 8 devices vs 1: max difference ${predictions.toExponential(2)}`);
    assert.equal(eight.predictions![0].length, 30);
    assert.ok(predictions < TOLERANCE);
  });

  test('globalBatchSize 32: 1 device, 8 devices, 2x4 devices, and 8 devices with deviceBatchSize 2 (accumulating 2) give one curve', async () => {
    // 100 samples: three steps of 32 and a short last step of 4 in every epoch.
    const data = { train: 100, maxEpochs: 3 };
    const one = await train(1, { globalBatchSize: 32 }, data);
    const eight = await train(8, { globalBatchSize: 32 }, data);
    const accumulated = await train(8, { globalBatchSize: 32, deviceBatchSize: 2 }, data);
    const twoByFour = await train('mesh 2x4', { globalBatchSize: 32 }, data);
    assert.equal(one.accumulation, 1);
    assert.equal(eight.accumulation, 1);
    assert.equal(accumulated.accumulation, 2);
    assertSame('globalBatchSize 32, 8 devices vs 1', eight, one);
    assertSame('globalBatchSize 32, a mesh of 2x4 devices vs 1 device', twoByFour, one);
    assertSame('globalBatchSize 32, 8 devices with deviceBatchSize 2 vs 1 device', accumulated, one);
    assert.equal(accumulated.compilations[2], accumulated.compilations[0], `compilations at each epoch end: ${accumulated.compilations}`);
  });

  test('a checkpoint written on 2x4 devices resumes on 1 (and the reverse) and continues the uninterrupted curve', async () => {
    const data = { train: 100, maxEpochs: 4 };
    // Saved mid-epoch, after step 6 of 16 (the second epoch's second step; 4 steps an epoch).
    const saveAt = (path: string) => ({ step: 6, path: join(work, path) });
    const eightCkpt = saveAt('mesh.ckpt');
    const oneCkpt = saveAt('one.ckpt');
    const eight = await train('mesh 2x4', { globalBatchSize: 32, deviceBatchSize: 2 }, { ...data, saveAt: eightCkpt });
    const one = await train(1, { globalBatchSize: 32 }, { ...data, saveAt: oneCkpt });
    assertSame('uninterrupted, 2x4 devices accumulating 2 vs 1 device', eight, one);
    const saved = await readTrainerCheckpoint(eightCkpt.path);
    assert.equal(saved.meta.config.globalBatchSize, 32);
    assert.equal(saved.meta.microBatchSize, 16);
    assert.equal(saved.meta.batchIndex, 4);
    assert.equal(saved.meta.globalStep, 6);
    // Resumed on 1 device by a Trainer without globalBatchSize: it adopts the checkpoint's.
    const onOne = await train(1, {}, { ...data, ckpt: eightCkpt.path });
    assertSame('checkpoint of 2x4 devices resumed on 1 vs uninterrupted', onOne, one);
    // It resumed at step 6, at the same sample: the epoch's last 2 batches of 32 and 4, then 2 epochs of 4.
    assert.equal(onOne.startStep, 6);
    assert.equal(onOne.batches, 2 + 2 * 4);
    const onEight = await train('mesh 2x4', { globalBatchSize: 32, deviceBatchSize: 2 }, { ...data, ckpt: oneCkpt.path });
    assert.equal(onEight.accumulation, 2);
    // Micro-batches of 16: the epoch's last 3 (16, 16, 4), then 2 epochs of 7.
    assert.equal(onEight.startStep, 6);
    assert.equal(onEight.batches, 3 + 2 * 7);
    assertSame('checkpoint of 1 device resumed on 2x4 (accumulating 2) vs uninterrupted', onEight, one);

    // Another global batch size is refused, naming both.
    await assert.rejects(train(1, { globalBatchSize: 16 }, { ...data, ckpt: oneCkpt.path }), /globalBatchSize 32; this Trainer has globalBatchSize 16/);
  });
});
