import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { globalRngState, seedEverything, unseedEverything, type DistributionStrategy } from '@strata/core';
import type { Batch } from '../../data/collate.js';
import type { OptimizerConfig } from '../../optim/optimizer-config.js';
import { JsCpu, loader } from '../../testing/js-cpu.js';
import { TrainingModule } from '../../training-module.js';
import { chooseFastestStrategy, type FastestChoice } from './choose-fastest.js';
import { FASTEST_CACHE_FILE } from './fastest-cache.js';
import { resolveFastestOptions, type FastestOptions } from './fastest-options.js';

/** tfjs-backend-cpu, counting the steps it runs. */
class CountingCpu extends JsCpu {
  steps = 0;
  constructor(override readonly name: string) {
    super();
  }
  override async runStep<T extends tf.TensorContainer>(step: () => T): Promise<T> {
    this.steps += 1;
    return super.runStep(step);
  }
}

/** The same backend, each step made slower by a real wait after it. */
class SlowCpu extends CountingCpu {
  override async runStep<T extends tf.TensorContainer>(step: () => T): Promise<T> {
    const out = await super.runStep(step);
    await new Promise((resolve) => setTimeout(resolve, 40));
    return out;
  }
}

/** A strategy whose every step fails. */
class BrokenCpu extends CountingCpu {
  override async runStep<T extends tf.TensorContainer>(): Promise<T> {
    this.steps += 1;
    throw new Error('kernel Conv2D is not registered');
  }
}

let made = 0;

/** A linear model with a running mean of its inputs that each step updates, as batch norm's statistics. */
class RunningMeanLinear extends TrainingModule<Batch> {
  readonly w = tf.variable(tf.tensor2d([[0.5], [-0.25]]), true, `fastest_w${made}`);
  readonly mean = tf.variable(tf.zeros([2]), false, `fastest_mean${made++}`);
  forward(x: tf.Tensor): tf.Tensor {
    return tf.matMul(x, this.w);
  }
  override parameters(): tf.Variable[] {
    return [this.w];
  }
  trainingStep(batch: Batch): tf.Scalar {
    this.mean.assign(tf.add(tf.mul(this.mean, 0.9), tf.mul(tf.mean(batch.x, 0), 0.1)));
    // A draw from the (seeded) generator each step, as dropout makes.
    const noise = 1 + Math.random() * 1e-3;
    return tf.mul(tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)), noise) as tf.Scalar;
  }
  configureOptimizers(): tf.Optimizer | OptimizerConfig {
    return tf.train.sgd(0.1);
  }
  dispose(): void {
    tf.dispose([this.w, this.mean]);
  }
}

describe("chooseFastestStrategy ('fastest')", () => {
  let cacheDir: string;
  before(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'strata-fastest-'));
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  async function setUp(strategies: CountingCpu[]): Promise<{ active: CountingCpu; module: RunningMeanLinear }> {
    const active = strategies[0];
    await active.setup();
    const module = active.scope(() => new RunningMeanLinear());
    return { active, module };
  }

  function choice(active: DistributionStrategy, registered: DistributionStrategy[], module: RunningMeanLinear, lines: string[], options: FastestOptions = {}): FastestChoice<Batch> {
    return {
      active,
      registered,
      module,
      loader: loader(8),
      epoch: 0,
      precision: '32',
      devices: undefined,
      options: resolveFastestOptions({ budgetMs: 150, cacheDir, ...options }),
      print: (line) => lines.push(line),
      warn: (line) => lines.push(`warn: ${line}`),
      env: {},
    };
  }

  it('times each strategy, picks the lowest median, prints the table, and leaves every variable, the generator and the tensor count as they were', async () => {
    seedEverything(3);
    const slow = new SlowCpu('cpu-slow');
    const fast = new CountingCpu('cpu-fast');
    const { active, module } = await setUp([slow, fast]);
    const before = { w: Array.from(await module.w.data()), mean: Array.from(await module.mean.data()) };
    const tensors = tf.memory().numTensors;
    const lines: string[] = [];
    const rng = globalRngState();

    const pick = await chooseFastestStrategy(choice(active, [slow, fast], module, lines));

    assert.equal(pick, fast);
    assert.ok(slow.steps >= 2 && fast.steps >= 2, `steps: slow ${slow.steps}, fast ${fast.steps}`);
    const rows = lines.filter((l) => /^ {2}cpu-/.test(l)).map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rows.map((r) => r[0]).sort(), ['cpu-fast', 'cpu-slow']);
    const medians = Object.fromEntries(rows.map((r) => [r[0], Number(r[1])]));
    assert.ok(medians['cpu-fast'] < medians['cpu-slow'], lines.join('\n'));
    assert.ok(medians['cpu-slow'] >= 40, `the slow strategy waits 40 ms a step: ${lines.join('\n')}`);
    assert.deepEqual(rows.find((r) => r[0] === 'cpu-fast')?.slice(3), ['fastest']);
    assert.match(lines.join('\n'), /Training on 'cpu-fast'\. The pick is cached in .*fastest-strategy\.json/);

    // The measured steps updated the running mean; the snapshot put it back, and the weights.
    assert.deepEqual(Array.from(await module.w.data()), before.w);
    assert.deepEqual(Array.from(await module.mean.data()), before.mean);
    assert.equal(tf.memory().numTensors, tensors);
    assert.deepEqual(globalRngState(), rng);
    unseedEverything();
    await pick.teardown();
    module.dispose();
  });

  it('takes the cached pick without running a step, and measures again when asked to', async () => {
    const slow = new SlowCpu('cpu-slow');
    const fast = new CountingCpu('cpu-fast');
    const { active, module } = await setUp([slow, fast]);
    const lines: string[] = [];

    const pick = await chooseFastestStrategy(choice(active, [slow, fast], module, lines));

    assert.equal(pick, fast);
    assert.equal(slow.steps + fast.steps, 0);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /^Strategy 'fastest': training on 'cpu-fast', measured fastest for this model on this machine \(cached in .*fastest-strategy\.json; set STRATA_FASTEST_REMEASURE=1/);

    await pick.teardown();
    await slow.setup();
    const again = await chooseFastestStrategy({ ...choice(slow, [slow, fast], module, lines), env: { STRATA_FASTEST_REMEASURE: '1' } });
    assert.equal(again, fast);
    assert.ok(slow.steps > 0 && fast.steps > 0);
    await again.teardown();
    module.dispose();
  });

  it('measures again for another model shape (the cache key holds the variables and the batch)', async () => {
    const slow = new SlowCpu('cpu-slow');
    const fast = new CountingCpu('cpu-fast');
    const { active, module } = await setUp([slow, fast]);
    const lines: string[] = [];
    const wide = loader(16);
    await chooseFastestStrategy({ ...choice(active, [slow, fast], module, lines), loader: wide });
    assert.ok(fast.steps > 0, 'a batch of 16 is another key than a batch of 8');
    assert.ok(lines.some((l) => l.startsWith('  strategy')));
    await fast.teardown();
    module.dispose();
  });

  it('reports a strategy whose step fails, and trains on one that works', async () => {
    const broken = new BrokenCpu('cpu-broken');
    const fast = new CountingCpu('cpu-fine');
    const { active, module } = await setUp([fast, broken]);
    const lines: string[] = [];
    const pick = await chooseFastestStrategy(choice(active, [fast, broken], module, lines, { cacheDir: false }));
    assert.equal(pick, fast);
    assert.match(lines.join('\n'), /cpu-broken\s+-\s+-\s+skipped: failed: kernel Conv2D is not registered/);
    assert.ok(!lines.some((l) => l.includes('cached')), 'no cache: cacheDir false');
    await pick.teardown();
    module.dispose();
  });

  it('ignores a corrupt cache file with a warning, measures, and rewrites the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-fastest-corrupt-'));
    try {
      const path = join(dir, FASTEST_CACHE_FILE);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path, '{"format": "strata-fastest-strategy/1", "entries": {');
      const slow = new SlowCpu('cpu-slow');
      const fast = new CountingCpu('cpu-fast');
      const { active, module } = await setUp([slow, fast]);
      const lines: string[] = [];
      const pick = await chooseFastestStrategy(choice(active, [slow, fast], module, lines, { cacheDir: dir }));
      assert.equal(pick, fast);
      assert.ok(lines.some((l) => l.startsWith(`warn: Strata: ignoring the strategy cache ${path}: it is not JSON`)), lines.join('\n'));
      assert.ok(fast.steps > 0);
      const rewritten = JSON.parse(readFileSync(path, 'utf8')) as { entries: Record<string, { strategy: string }> };
      assert.deepEqual(Object.values(rewritten.entries).map((e) => e.strategy), ['cpu-fast']);
      await pick.teardown();
      module.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the active strategy, saying why, when the loader is a generator object it cannot read twice', async () => {
    const slow = new SlowCpu('cpu-slow');
    const fast = new CountingCpu('cpu-fast');
    const { active, module } = await setUp([slow, fast]);
    const lines: string[] = [];
    async function* once(): AsyncGenerator<Batch> {
      yield { x: tf.ones([2, 2]), y: tf.ones([2]) };
    }
    const pick = await chooseFastestStrategy({ ...choice(active, [slow, fast], module, lines), loader: once() });
    assert.equal(pick, slow);
    assert.equal(slow.steps + fast.steps, 0);
    assert.match(lines[0], /yields its batches once \(a generator object\).*training on 'cpu-slow', the 'auto' pick/);
    await pick.teardown();
    module.dispose();
  });
});
