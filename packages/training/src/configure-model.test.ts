import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/core';
import type { Batch } from './data/collate.js';
import { JsCpu, loader } from './testing/js-cpu.js';
import { Trainer } from './trainer.js';
import { TrainingModule } from './training-module.js';

/** A strategy that says whether code runs inside its `scope`. */
class ScopeWatching extends JsCpu {
  inScope = false;
  override scope<T>(fn: () => T): T {
    this.inScope = true;
    try {
      return super.scope(fn);
    } finally {
      this.inScope = false;
    }
  }
}

let count = 0;

/** y = x·w + b, its variables made in configureModel; records each setup hook and whether it ran in the scope. */
class LateLinear extends TrainingModule<Batch> {
  readonly calls: string[] = [];
  w: tf.Variable | undefined;
  b: tf.Variable | undefined;
  constructor(private readonly strategy: ScopeWatching) {
    super();
  }
  override configureModel(): void {
    this.calls.push(`configureModel ${this.strategy.inScope ? 'in scope' : 'outside the scope'}`);
    const id = count++;
    this.w = tf.variable(tf.tensor2d([[0.5], [-0.25]]), true, `late_w${id}`);
    this.b = tf.variable(tf.zeros([1]), true, `late_b${id}`);
  }
  override parameters(): tf.Variable[] {
    return [this.w!, this.b!];
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.add(tf.matMul(x, this.w!), this.b!);
  }
  trainingStep(batch: Batch): tf.Scalar {
    return tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)) as tf.Scalar;
  }
  override validationStep(batch: Batch): void {
    this.log('val_loss', tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)));
  }
  override testStep(batch: Batch): void {
    this.log('test_loss', tf.losses.meanSquaredError(tf.reshape(batch.y, [-1, 1]), this.forward(batch.x)));
  }
  configureOptimizers(): tf.Optimizer {
    this.calls.push(`configureOptimizers ${this.strategy.inScope ? 'in scope' : 'outside the scope'}`);
    return tf.train.sgd(0.1);
  }
  dispose(): void {
    tf.dispose([this.w, this.b].filter((v): v is tf.Variable => v !== undefined));
  }
}

type Entry = 'fit' | 'validate' | 'test' | 'predict';

async function runEntry(trainer: Trainer, module: LateLinear, entry: Entry): Promise<void> {
  if (entry === 'fit') await trainer.fit(module, loader(8), loader(16));
  else if (entry === 'validate') await trainer.validate(module, loader(16));
  else if (entry === 'test') await trainer.test(module, loader(16));
  else tf.dispose(await trainer.predict(module, loader(16)));
}

describe('TrainingModule.configureModel', () => {
  const entries: Entry[] = ['fit', 'validate', 'test', 'predict'];
  for (const first of entries) {
    it(`runs once, inside the strategy's scope, when ${first}() is the first to run the module`, async () => {
      const strategy = new ScopeWatching();
      const module = new LateLinear(strategy);
      assert.equal(module.w, undefined, 'the constructor made no variable');
      const trainer = new Trainer({ strategy, maxEpochs: 1, enableProgressBar: false });
      await runEntry(trainer, module, first);
      assert.equal(module.calls[0], 'configureModel in scope');
      for (const next of entries.filter((e) => e !== first)) await runEntry(trainer, module, next);
      // Every entry ran: a fit (the first or a later one) configured the optimizer after the model.
      assert.deepEqual(module.calls, ['configureModel in scope', 'configureOptimizers in scope']);
      // A second Trainer keeps the model the first one trained.
      const trained = Array.from(await module.w!.data());
      await runEntry(new Trainer({ strategy, maxEpochs: 1, enableProgressBar: false }), module, 'test');
      assert.equal(module.calls.filter((c) => c.startsWith('configureModel')).length, 1);
      assert.deepEqual(Array.from(await module.w!.data()), trained);
      trainer.optimizer?.dispose();
      module.dispose();
    });
  }

  it('an asynchronous configureModel is an error that says to make it synchronous', async () => {
    const strategy = new ScopeWatching();
    class AsyncModel extends LateLinear {
      override configureModel(): void {
        return Promise.resolve() as unknown as void;
      }
    }
    const module = new AsyncModel(strategy);
    const trainer = new Trainer({ strategy, maxEpochs: 1, enableProgressBar: false });
    await assert.rejects(
      trainer.fit(module, loader(8)),
      (e: unknown) => e instanceof StrataError && /AsyncModel\.configureModel\(\) returned a promise/.test(e.message) && /make configureModel synchronous/.test(e.message),
    );
    assert.deepEqual(module.calls, [], 'configureOptimizers did not run');
  });

  it('lets a module with a tfjs-layers model be constructed before any tfjs backend exists', () => {
    // A fresh process, where no backend is registered until the strategy sets one up.
    const dir = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.tmp-configure-model-'));
    const script = (where: 'field' | 'configureModel') => `
      import * as tf from '@tensorflow/tfjs-core';
      import * as tfl from '@tensorflow/tfjs-layers';
      import { Trainer, TrainingModule, trainableVariables } from '../index.js';
      import { JsCpu, loader } from '../testing/js-cpu.js';
      const build = () => tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 1 })] });
      class Net extends TrainingModule {
        model = ${where === 'field' ? 'build()' : 'undefined as unknown as tfl.Sequential'};
        override configureModel() { ${where === 'configureModel' ? 'this.model = build();' : ''} }
        override parameters() { return trainableVariables(this.model); }
        forward(x: tf.Tensor) { return this.model.apply(x) as tf.Tensor; }
        trainingStep(b: Record<string, tf.Tensor>) { return tf.losses.meanSquaredError(tf.reshape(b.y, [-1, 1]), this.forward(b.x)) as tf.Scalar; }
        configureOptimizers() { return tf.train.sgd(0.1); }
      }
      const module = new Net();
      const trainer = new Trainer({ strategy: new JsCpu(), maxEpochs: 2, enableProgressBar: false });
      await trainer.fit(module, loader(8));
      console.log('steps', trainer.globalStep, 'loss', trainer.history[1].train_loss < trainer.history[0].train_loss ? 'falls' : 'rises');
    `;
    try {
      const run = (where: 'field' | 'configureModel') => {
        const file = join(dir, `${where}.ts`);
        writeFileSync(file, script(where));
        return spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
      };
      const late = run('configureModel');
      assert.equal(late.status, 0, late.stderr);
      assert.match(late.stdout, /steps 8 loss falls/);
      // The same model made in a class field fails there: the case configureModel exists for.
      const early = run('field');
      assert.notEqual(early.status, 0);
      assert.match(early.stderr, /No backend found in registry/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
