// The strategy contract suite: every target in ./targets trains the same seeded models with the
// same data and must match the pure-JS CPU reference within its tolerance.
import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CpuStrategy } from '@strata/backend-cpu';
import type { DistributionStrategy } from '@strata/core';
import { Trainer, type TrainingModule, type Batch } from '@strata/training';
import type { ContractTarget } from './contract-target.js';
import { contractLoader } from './models/contract-data.js';
import { EfficientBlockModule } from './models/efficient-block-module.js';
import { TinyConvModule } from './models/tiny-conv-module.js';

type Module = TrainingModule<Batch> & { parameters(): tf.Variable[] };
const MODELS: Record<string, () => Module> = {
  'tiny-conv': () => new TinyConvModule(),
  'efficient-block': () => new EfficientBlockModule(),
};
const EPOCHS = 5; // 4 batches each: 20 steps

interface RunResult {
  losses: number[];
  weights: Float32Array[];
  tensorsAfterEpoch: number[];
  missingKernels: readonly string[];
}

async function train(strategy: DistributionStrategy, makeModule: () => Module): Promise<RunResult> {
  const tensorsAfterEpoch: number[] = [];
  const trainer = new Trainer({
    strategy,
    maxEpochs: EPOCHS,
    numSanityValSteps: 0,
    enableProgressBar: false,
    callbacks: [{ onTrainEpochEnd: () => void tensorsAfterEpoch.push(tf.memory().numTensors) }],
  });
  await strategy.setup();
  const module = strategy.scope(makeModule);
  const sample = (await contractLoader()[Symbol.asyncIterator]().next()).value as Batch;
  const report = await strategy.preflight(() => {
    const { value, grads } = tf.variableGrads(() => module.trainingStep(sample, 0), module.parameters());
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose(sample);
  try {
    await trainer.fit(module, contractLoader());
    const weights = await Promise.all(module.parameters().map(async (v) => Float32Array.from(await strategy.read(v))));
    return { losses: trainer.history.map((m) => m.train_loss), weights, tensorsAfterEpoch, missingKernels: report.missingKernels };
  } finally {
    trainer.optimizer?.dispose();
    tf.dispose(module.parameters());
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

const references = new Map<string, Promise<RunResult>>();
function reference(model: string): Promise<RunResult> {
  if (!references.has(model)) references.set(model, train(new CpuStrategy({ engine: 'js' }), MODELS[model]));
  return references.get(model)!;
}

const targetDir = fileURLToPath(new URL('./targets/', import.meta.url));
const targetFiles = readdirSync(targetDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
const only = process.env.STRATA_CONTRACT_TARGETS?.split(',').filter(Boolean);

for (const file of targetFiles) {
  const { target } = (await import(new URL(`./targets/${file}`, import.meta.url).href)) as { target: ContractTarget };
  if (only && !only.includes(target.name)) continue;
  const skipReason = (await target.skip?.()) ?? undefined;
  describe(`contract: ${target.name}`, { skip: skipReason }, () => {
    let strategy: DistributionStrategy;
    before(async () => {
      await target.before?.();
      strategy = await target.create();
    });
    after(async () => {
      await strategy?.teardown();
      await strategy?.teardown();
      await target.after?.();
    });

    it('answers isAvailable() without throwing, and is available', async () => {
      const availability = await strategy.isAvailable();
      assert.equal(availability.available, true, JSON.stringify(availability));
    });

    it('sets up idempotently and describes its devices', async () => {
      await strategy.setup();
      await strategy.setup();
      const report = strategy.describe();
      assert.equal(report.strategy, strategy.name);
      assert.ok(report.engine.length > 0);
      assert.ok(report.numReplicas >= 1);
      assert.ok(strategy.capabilities().precisions.includes('32'));
    });

    for (const model of Object.keys(MODELS)) {
      it(`trains ${model}: loss falls, matches the CPU reference within ${target.tolerance}, no leak, no missing kernel`, async (t) => {
        const expected = await reference(model);
        const got = await train(strategy, MODELS[model]);
        // The epoch losses, printed so that runs can be compared digit by digit.
        t.diagnostic(`${target.name} ${model} losses: ${got.losses.map((l) => l.toPrecision(9)).join(' ')}`);
        assert.deepEqual(got.missingKernels, []);
        assert.ok(got.losses[EPOCHS - 1] < got.losses[0], `loss did not fall: ${got.losses.join(', ')}`);
        assert.ok(maxAbsDiff(got.losses, expected.losses) <= target.tolerance * 10, `losses ${got.losses} vs reference ${expected.losses}`);
        got.weights.forEach((w, i) => {
          const diff = maxAbsDiff(w, expected.weights[i]);
          assert.ok(diff <= target.tolerance * 100, `weight ${i} differs from the reference by ${diff}`);
        });
        assert.equal(got.tensorsAfterEpoch[2], got.tensorsAfterEpoch[0], `tensors after each epoch: ${got.tensorsAfterEpoch}`);
      });
    }
  });
}
