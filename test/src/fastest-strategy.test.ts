// `strategy: 'fastest'` end to end with two real strategies (cpu and wasm): the first fit times
// the module's step on both, trains on the faster and caches the pick; a second Trainer with the
// same model takes the pick from the cache without measuring; another model shape measures again.
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import '@strata/backend-cpu';
import '@strata/backend-wasm';
import { StrataError } from '@strata/core';
import { DataLoader, Trainer, TrainingModule, arrayDataset, type Batch, type Callback } from '@strata/training';

const INPUTS = 16;

/** A two-layer perceptron built in configureModel, with a running mean of its inputs that each step updates (as batch norm's statistics). */
class Mlp extends TrainingModule<Batch> {
  w1!: tf.Variable;
  w2!: tf.Variable;
  mean!: tf.Variable;
  /** The values configureModel made, to compare with what training starts from. */
  initial: number[][] = [];
  constructor(private readonly hidden: number) {
    super();
  }
  override configureModel(): void {
    this.w1 = tf.variable(tf.randomNormal([INPUTS, this.hidden], 0, 0.3, 'float32', 1));
    this.w2 = tf.variable(tf.randomNormal([this.hidden, 1], 0, 0.3, 'float32', 2));
    this.mean = tf.variable(tf.zeros([INPUTS]), false);
    this.initial = this.variables().map((v) => Array.from(v.dataSync()));
  }
  variables(): tf.Variable[] {
    return [this.w1, this.w2, this.mean];
  }
  override parameters(): tf.Variable[] {
    return [this.w1, this.w2];
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(tf.relu(tf.matMul(x, this.w1)), this.w2);
  }
  trainingStep(batch: Batch): tf.Scalar {
    this.mean.assign(tf.add(tf.mul(this.mean, 0.9), tf.mul(tf.mean(batch.x, 0), 0.1)));
    return tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }
  configureOptimizers(): tf.Optimizer {
    return tf.train.sgd(0.01);
  }
  dispose(): void {
    tf.dispose(this.variables());
  }
}

function data(): DataLoader {
  const samples = Array.from({ length: 128 }, (_, i) => ({
    x: { data: Float32Array.from({ length: INPUTS }, (_, j) => Math.sin(i * (j + 1))), shape: [INPUTS] },
    y: Math.cos(i),
  }));
  return new DataLoader(arrayDataset(samples), { batchSize: 32 });
}

/** Runs a fit, returning what it printed, the backends its steps ran on, and the weights its first hook saw. */
async function fastestFit(module: Mlp, options: { strategy?: string } = { strategy: 'fastest' }) {
  const printed: string[] = [];
  const log = mock.method(console, 'log', (...args: unknown[]) => void printed.push(args.join(' ')));
  const backends = new Set<string>();
  let atFitStart: number[][] = [];
  const probe: Callback = {
    onFitStart: async () => void (atFitStart = await Promise.all(module.variables().map(async (v) => Array.from(await v.data())))),
    onTrainBatchEnd: () => void backends.add(tf.getBackend()),
  };
  const trainer = new Trainer({ ...options, maxEpochs: 1, limitTrainBatches: 2, enableProgressBar: false, preflight: false, callbacks: [probe], fastest: { budgetMs: 400 } });
  try {
    await trainer.fit(module, data());
  } finally {
    log.mock.restore();
  }
  return { trainer, printed, backends, atFitStart };
}

/** The measured rows of the printed table: strategy, median ms and whether it is marked fastest. */
function measuredRows(printed: string[]): { strategy: string; medianMs: number; fastest: boolean }[] {
  return printed
    .filter((l) => /^ {2}(cpu|wasm) +[\d.]+ +\d+/.test(l))
    .map((l) => {
      const [strategy, median, , mark] = l.trim().split(/\s+/);
      return { strategy, medianMs: Number(median), fastest: mark === 'fastest' };
    });
}

describe("strategy: 'fastest' on cpu and wasm", () => {
  let cacheDir: string;
  const savedCacheDir = process.env.STRATA_CACHE_DIR;
  before(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'strata-fastest-e2e-'));
    process.env.STRATA_CACHE_DIR = cacheDir;
  });
  after(() => {
    if (savedCacheDir === undefined) delete process.env.STRATA_CACHE_DIR;
    else process.env.STRATA_CACHE_DIR = savedCacheDir;
    rmSync(cacheDir, { recursive: true, force: true });
  });

  let picked = '';

  it('times both, trains on the one with the lower median, and leaves the weights as configureModel made them', async () => {
    const module = new Mlp(64);
    const { trainer, printed, backends, atFitStart } = await fastestFit(module);
    const rows = measuredRows(printed);
    assert.deepEqual(rows.map((r) => r.strategy).sort(), ['cpu', 'wasm'], printed.join('\n'));
    const lowest = rows.reduce((a, b) => (b.medianMs < a.medianMs ? b : a));
    assert.deepEqual(rows.filter((r) => r.fastest).map((r) => r.strategy), [lowest.strategy], printed.join('\n'));
    picked = trainer.strategy.name;
    assert.equal(picked, lowest.strategy);
    assert.deepEqual([...backends], [trainer.strategy.describe().backend]);
    assert.match(printed.join('\n'), new RegExp(`Training on '${picked}'\\. The pick is cached in ${cacheDir}/fastest-strategy\\.json`));
    // Measuring ran steps that moved the running mean; training starts from the values made in configureModel.
    assert.deepEqual(atFitStart, module.initial);
    await trainer.strategy.teardown();
    module.dispose();
  });

  it('takes the cached pick in a second Trainer (STRATA_STRATEGY=fastest) for the same model, without measuring', async () => {
    assert.ok(picked, 'runs after the first test');
    const cacheFile = join(cacheDir, 'fastest-strategy.json');
    const written = { text: readFileSync(cacheFile, 'utf8'), mtime: statSync(cacheFile).mtimeMs };
    const module = new Mlp(64);
    process.env.STRATA_STRATEGY = 'fastest';
    let run: Awaited<ReturnType<typeof fastestFit>>;
    try {
      run = await fastestFit(module, {});
    } finally {
      delete process.env.STRATA_STRATEGY;
    }
    assert.equal(run.trainer.strategy.name, picked);
    assert.deepEqual(measuredRows(run.printed), []);
    assert.deepEqual(
      run.printed.filter((l) => l.startsWith("Strategy 'fastest'")),
      [`Strategy 'fastest': training on '${picked}', measured fastest for this model on this machine (cached in ${cacheFile}; set STRATA_FASTEST_REMEASURE=1 (or the Trainer option fastest: { remeasure: true }), or delete the file, to measure again).`],
    );
    assert.deepEqual([...run.backends], [run.trainer.strategy.describe().backend]);
    assert.deepEqual(run.atFitStart, module.initial);
    assert.deepEqual({ text: readFileSync(cacheFile, 'utf8'), mtime: statSync(cacheFile).mtimeMs }, written);
    await run.trainer.strategy.teardown();
    module.dispose();
  });

  it('measures again for another model shape', async () => {
    const module = new Mlp(32);
    const { trainer, printed } = await fastestFit(module);
    assert.deepEqual(measuredRows(printed).map((r) => r.strategy).sort(), ['cpu', 'wasm']);
    const entries = Object.keys((JSON.parse(readFileSync(join(cacheDir, 'fastest-strategy.json'), 'utf8')) as { entries: object }).entries);
    assert.equal(entries.length, 2);
    await trainer.strategy.teardown();
    module.dispose();
  });

  it('fails at construction on an unknown name, listing the registered strategies', () => {
    assert.throws(
      () => new Trainer({ strategy: 'wsam' }),
      (e: unknown) => e instanceof StrataError && e.kind === 'unknown-strategy' && /use one of the registered strategies: "cpu", "wasm", 'auto' or 'fastest'\./.test(e.message),
    );
  });
});
