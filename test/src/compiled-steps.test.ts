// The Trainer's compiled steps on a local XLA:CPU server: with `compileSteps` on, training,
// validation and logging replay traced programs and give the same numbers, step for step, as
// the same run traced at every step (compileSteps: false).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import { CsvLogger, DataLoader, FlatAdam, LambdaLr, MixedPrecision, Trainer, TrainingModule, arrayDataset, type Batch, type OptimizerConfig, type Sample, type TrainerOptions } from '@strata/training';
import { LocalXlaStrategy } from '@strata/xla';

const strategy = new LocalXlaStrategy({ platform: 'cpu' });
const work = mkdtempSync(join(tmpdir(), 'strata-compiled-'));

before(async () => {
  await strategy.setup();
});
after(async () => {
  await strategy.teardown();
  rmSync(work, { recursive: true, force: true });
});

let modules = 0;

/** A two-layer network with FlatAdam and a learning rate that changes every step; logs a metric inside trainingStep. */
class TwoLayer extends TrainingModule<Batch> {
  private readonly id = modules++;
  readonly w1 = tf.variable(tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1) * 0.5), [3, 4]), true, `two_w1_${this.id}`);
  readonly w2 = tf.variable(tf.tensor2d(Array.from({ length: 4 }, (_, i) => Math.cos(i + 1) * 0.5), [4, 1]), true, `two_w2_${this.id}`);
  /** Branches on a tensor value on the host when set (a step a replay cannot repeat). */
  branchOnHost = false;

  constructor(private readonly scale = 1) {
    super();
  }

  override parameters(): tf.Variable[] {
    return [this.w1, this.w2];
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(tf.matMul(tf.tanh(tf.matMul(x, this.w1)), this.w2), this.scale);
  }

  trainingStep(batch: Batch): tf.Scalar {
    const prediction = this.forward(batch.x);
    const y = tf.reshape(batch.y, [-1, 1]);
    if (this.branchOnHost && prediction.dataSync()[0] > 0) return tf.losses.absoluteDifference(y, prediction) as tf.Scalar;
    this.log('train_mae', tf.mean(tf.abs(tf.sub(prediction, y))));
    return tf.losses.meanSquaredError(y, prediction) as tf.Scalar;
  }

  override validationStep(batch: Batch): void {
    this.log('val_loss', tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)));
  }

  configureOptimizers(): OptimizerConfig {
    const optimizer = new FlatAdam(0.05);
    return { optimizer, lrScheduler: { scheduler: new LambdaLr(optimizer, (step) => 1 / (1 + step)), interval: 'step' } };
  }

  async weights(): Promise<number[]> {
    return [...(await this.w1.data()), ...(await this.w2.data())];
  }

  dispose(): void {
    tf.dispose([this.w1, this.w2]);
  }
}

const data: Sample[] = Array.from({ length: 40 }, (_, i) => ({
  x: { data: Float32Array.of(Math.sin(i), Math.cos(2 * i), Math.sin(3 * i + 1)), shape: [3] },
  y: Math.sin(i) - 0.5 * Math.cos(2 * i),
}));

const loader = (batchSize: number, samples = data) => new DataLoader(arrayDataset(samples), { batchSize });

interface Run {
  readonly module: TwoLayer;
  readonly trainer: Trainer;
  readonly rows: Record<string, string>[];
  readonly traces: number;
  readonly replays: number;
  /** Runs dispatched without waiting for their end. */
  readonly asynchronous: number;
  readonly tensorsPerEpoch: number[];
}

async function fit(name: string, options: Partial<TrainerOptions>, { batchSize = 8, epochs = 3, module = new TwoLayer(), samples = data } = {}): Promise<Run> {
  const stats = strategy.stats();
  const [traces, replays, asynchronous] = [stats.traces, stats.replays, stats.asynchronousExecutions];
  const tensorsPerEpoch: number[] = [];
  const dir = join(work, name);
  const trainer = new Trainer({
    strategy,
    maxEpochs: epochs,
    enableProgressBar: false,
    logEveryNSteps: 1,
    logger: [new CsvLogger({ saveDir: dir, name: '', version: '' })],
    enableCheckpointing: false,
    callbacks: [{ onTrainEpochEnd: () => void tensorsPerEpoch.push(tf.memory().numTensors) }],
    ...options,
  });
  await trainer.fit(module, loader(batchSize, samples), loader(8, samples.slice(0, 16)));
  const [header, ...lines] = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  const columns = header.split(',');
  const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])));
  return { module, trainer, rows, traces: stats.traces - traces, replays: stats.replays - replays, asynchronous: stats.asynchronousExecutions - asynchronous, tensorsPerEpoch };
}

function release(...runs: Run[]): void {
  for (const r of runs) {
    r.module.dispose();
    r.trainer.optimizer?.dispose();
  }
}

/** A column of the CSV rows that have it, as numbers. */
const column = (run: Run, name: string) => run.rows.filter((r) => r[name] !== undefined && r[name] !== '').map((r) => Number(r[name]));

function assertClose(a: readonly number[], b: readonly number[], tolerance: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: ${a.length} vs ${b.length} values`);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tolerance, `${what} ${i}: ${x} vs ${b[i]}`));
}

describe('compiled steps in the Trainer, on a local XLA:CPU server', () => {
  it("replays from the second step on: a per-step learning-rate schedule and Adam's bias correction give the traced run's losses, logged metrics and weights step for step", async () => {
    const traced = await fit('traced', { compileSteps: false });
    const compiled = await fit('compiled', {});
    assert.equal(traced.replays, 0);
    assert.ok(compiled.replays >= 12, `replays: ${compiled.replays}`);
    // The training step's replays are dispatched asynchronously (the loop reads their values
    // later); validation's are not (their outputs are read at once).
    assert.ok(compiled.asynchronous >= 10 && compiled.asynchronous < compiled.replays, `asynchronous runs: ${compiled.asynchronous} of ${compiled.replays} replays`);
    assert.equal(traced.asynchronous, 0);
    // Training: the first step makes Adam's moments and the metric sums (a warm-up), the second is
    // traced for replay; validation likewise; the last, smaller batches of an epoch are not
    // (40 samples in batches of 8 divide evenly); nothing is traced after the first epoch.
    assert.ok(compiled.traces <= 6, `traces: ${compiled.traces}`);
    assertClose(column(compiled, 'train_loss_step'), column(traced, 'train_loss_step'), 1e-6, 'train_loss_step');
    assertClose(column(compiled, 'train_mae_step'), column(traced, 'train_mae_step'), 1e-6, 'train_mae_step (logged inside trainingStep)');
    assertClose(column(compiled, 'val_loss'), column(traced, 'val_loss'), 1e-6, 'val_loss');
    assert.equal(column(compiled, 'train_mae_step').length, 15);
    assertClose(await compiled.module.weights(), await traced.module.weights(), 1e-6, 'weights');
    assert.equal(compiled.trainer.optimizer!.iterations, 15, "Adam's step count went on under replay");
    assert.equal(compiled.tensorsPerEpoch[2], compiled.tensorsPerEpoch[0], `tensors after each epoch: ${compiled.tensorsPerEpoch}`);
    release(traced, compiled);
  });

  it('accumulating 4 batches of 8 makes the update of one batch of 32 under replay', async () => {
    const accumulated = await fit('accumulated', { accumulateGradBatches: 4 }, { epochs: 3, samples: data.slice(0, 32) });
    const whole = await fit('whole', {}, { batchSize: 32, epochs: 3, samples: data.slice(0, 32) });
    assert.ok(accumulated.replays > 0);
    assert.equal(accumulated.trainer.globalStep, 3);
    assertClose(await accumulated.module.weights(), await whole.module.weights(), 1e-5, 'weights');
    release(accumulated, whole);
  });

  it('fp16 loss scaling skips the same steps and keeps the same scale as the traced run', async () => {
    // Outputs scaled by 300: the scaled gradients of the first steps overflow f16 at the initial loss scale.
    const options: Partial<TrainerOptions> = { precision: '16-mixed' };
    const traced = await fit('fp16-traced', { ...options, compileSteps: false }, { module: new TwoLayer(300) });
    const compiled = await fit('fp16-compiled', options, { module: new TwoLayer(300) });
    const scaler = (run: Run) => (run.trainer.precisionPlugin as MixedPrecision).scaler!;
    assert.ok(scaler(traced).skippedSteps > 0, 'the run skips steps');
    assert.equal(scaler(compiled).skippedSteps, scaler(traced).skippedSteps);
    assert.equal(scaler(compiled).scale, scaler(traced).scale);
    assert.ok(compiled.replays > 0);
    // The skip decision reads each step's finite flag at once: those steps wait for their runs.
    assert.equal(compiled.asynchronous, 0);
    assertClose(await compiled.module.weights(), await traced.module.weights(), 1e-5, 'weights');
    release(traced, compiled);
  });

  it('a training step that branches on a tensor value on the host is refused with the op and the fix', async () => {
    const module = new TwoLayer();
    module.branchOnHost = true;
    const trainer = new Trainer({ strategy, maxEpochs: 1, enableProgressBar: false, logger: false, enableCheckpointing: false, preflight: false });
    await assert.rejects(trainer.fit(module, loader(8)), (e: unknown) => e instanceof StrataError && /training step reads the result of .* on the host \(dataSync\(\)/.test(e.message) && /compileSteps: false/.test(e.fix ?? ''));
    module.dispose();
    trainer.optimizer?.dispose();
  });
});
