import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '@strata/core';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import { readTrainerCheckpoint } from '../checkpoint/checkpoint-connector.js';
import type { Batch } from '../data/collate.js';
import { JsCpuMixed, Linear, loader, maxAbsDiff, values } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import { DynamicLossScaler } from './dynamic-loss-scaler.js';
import { MixedPrecision } from './mixed-precision.js';
import { PrecisionPlugin } from './precision.js';

describe('DynamicLossScaler', () => {
  it('starts at 2^16 and doubles after 2000 finite steps in a row', () => {
    const s = new DynamicLossScaler();
    assert.equal(s.scale, 65536);
    for (let i = 0; i < 1999; i++) assert.equal(s.update(true), true);
    assert.equal(s.scale, 65536);
    s.update(true);
    assert.equal(s.scale, 131072);
    for (let i = 0; i < 2000; i++) s.update(true);
    assert.equal(s.scale, 262144);
  });

  it('halves and skips on a non-finite gradient, resetting the growth count', () => {
    const s = new DynamicLossScaler({ growthInterval: 3 });
    s.update(true);
    s.update(true);
    assert.equal(s.update(false), false);
    assert.equal(s.scale, 32768);
    assert.equal(s.skippedSteps, 1);
    s.update(true);
    s.update(true);
    assert.equal(s.scale, 32768, 'the two finite steps before the skip no longer count');
    s.update(true);
    assert.equal(s.scale, 65536);
  });

  it('fails after a long run of skips, with the fix', () => {
    const s = new DynamicLossScaler({ maxConsecutiveSkips: 5 });
    for (let i = 0; i < 4; i++) s.update(false);
    s.update(true); // a finite step resets the run
    for (let i = 0; i < 4; i++) s.update(false);
    assert.throws(() => s.update(false), (e: unknown) => e instanceof StrataError && e.kind === 'non-finite' && /5 optimizer steps in a row/.test(e.message) && /lower the learning rate/.test(e.message));
  });

  it('saves and restores its state', () => {
    const a = new DynamicLossScaler({ growthInterval: 10 });
    for (let i = 0; i < 7; i++) a.update(true);
    a.update(false);
    a.update(true);
    const b = new DynamicLossScaler({ growthInterval: 10 });
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    assert.deepEqual(b.stateDict(), { scale: 32768, growthTracker: 1, consecutiveSkips: 0, skippedSteps: 1 });
    for (let i = 0; i < 9; i++) {
      a.update(true);
      b.update(true);
    }
    assert.equal(b.scale, a.scale);
    assert.equal(b.scale, 65536);
  });

  it('rejects invalid options', () => {
    assert.throws(() => new DynamicLossScaler({ initScale: 0 }), /initScale/);
    assert.throws(() => new DynamicLossScaler({ backoffFactor: 1 }), /backoffFactor/);
  });
});

describe('precision plugins', () => {
  it("'32' and 'bf16-mixed' scale nothing; '16-mixed' scales and checks gradients", () => {
    assert.equal(new PrecisionPlugin().lossScale, 1);
    assert.equal(new MixedPrecision('bf16-mixed').checksFinite, false);
    const fp16 = new MixedPrecision('16-mixed');
    assert.equal(fp16.lossScale, 65536);
    assert.equal(fp16.checksFinite, true);
  });

  /** Linear whose loss is infinite on the batches listed. */
  class Exploding extends Linear {
    constructor(private readonly badSteps: number[]) {
      super();
    }
    private calls = 0;
    override trainingStep(batch: Batch, i: number): tf.Scalar {
      const loss = super.trainingStep(batch, i);
      return this.badSteps.includes(this.calls++) ? (tf.mul(loss, Infinity) as tf.Scalar) : loss;
    }
  }

  async function fit16(module: Linear, extra: Record<string, unknown> = {}): Promise<Trainer> {
    const trainer = new Trainer({ strategy: new JsCpuMixed(), precision: '16-mixed', maxEpochs: 1, enableProgressBar: false, preflight: false, stopOnNonFiniteLoss: false, ...extra });
    await trainer.fit(module, loader(8));
    return trainer;
  }

  it("on a strategy that declares '16-mixed', the Trainer scales the loss and skips a step whose gradient overflows", async () => {
    await new JsCpuMixed().setup();
    const clean = new Linear();
    const t1 = await fit16(clean);
    // Scaling by 2^16 and back is exact: the same weights as float32 training.
    const t32 = new Trainer({ strategy: new JsCpuMixed(), maxEpochs: 1, enableProgressBar: false, preflight: false });
    const plain = new Linear();
    await t32.fit(plain, loader(8));
    assert.ok(maxAbsDiff(await values([clean.w, clean.b]), await values([plain.w, plain.b])) < 1e-6);
    assert.equal((t1.precisionPlugin as MixedPrecision).scaler!.scale, 65536);

    const bad = new Exploding([1]);
    const dir = mkdtempSync(join(tmpdir(), 'strata-fp16-'));
    const t2 = await fit16(bad, { callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true })] });
    const scaler = (t2.precisionPlugin as MixedPrecision).scaler!;
    assert.equal(scaler.skippedSteps, 1);
    assert.equal(scaler.scale, 32768);
    assert.equal(t2.globalStep, 4, 'a skipped step still counts as a step, as in Lightning');
    const w = await values([bad.w, bad.b]);
    assert.ok(w.flat().every(Number.isFinite), `weights stayed finite: ${w}`);
    assert.ok(maxAbsDiff(w, await values([clean.w, clean.b])) > 1e-4, 'the skipped batch changed nothing: the test would not see a skip');
    // The scale is part of the checkpoint, and a resume continues from it.
    const meta = (await readTrainerCheckpoint(join(dir, 'last.ckpt'))).meta;
    assert.deepEqual(meta.precision, { scaler: { scale: 32768, growthTracker: 2, consecutiveSkips: 0, skippedSteps: 1 } });
    const resumed = new Linear();
    const t3 = new Trainer({ strategy: new JsCpuMixed(), precision: '16-mixed', maxEpochs: 2, enableProgressBar: false, preflight: false, callbacks: [new ModelCheckpoint({ dirpath: dir, saveLast: true })] });
    await t3.fit(resumed, loader(8), { ckptPath: 'last' });
    assert.deepEqual((t3.precisionPlugin as MixedPrecision).scaler!.stateDict(), { scale: 32768, growthTracker: 6, consecutiveSkips: 0, skippedSteps: 1 });
    rmSync(dir, { recursive: true, force: true });
    for (const [t, m] of [[t1, clean], [t32, plain], [t2, bad], [t3, resumed]] as const) {
      m.dispose();
      t.optimizer?.dispose();
    }
  });

  it('fp16 with accumulation and clipping unscales before clipping', async () => {
    const a = new Linear();
    const ta = await fit16(a, { accumulateGradBatches: 4, gradientClipVal: 0.05 });
    const t32 = new Trainer({ strategy: new JsCpuMixed(), maxEpochs: 1, enableProgressBar: false, preflight: false, gradientClipVal: 0.05 });
    const b = new Linear();
    await t32.fit(b, loader(32));
    assert.ok(maxAbsDiff(await values([a.w, a.b]), await values([b.w, b.b])) < 1e-6);
    for (const [t, m] of [[ta, a], [t32, b]] as const) {
      m.dispose();
      t.optimizer?.dispose();
    }
  });

  it('fails after too many skips in a row', async () => {
    const always = new Exploding([0, 1, 2, 3]);
    const trainer = new Trainer({ strategy: new JsCpuMixed(), precision: '16-mixed', maxEpochs: 1, enableProgressBar: false, preflight: false, stopOnNonFiniteLoss: false });
    (trainer.precisionPlugin as MixedPrecision).scaler!.loadStateDict({ scale: 4, growthTracker: 0, consecutiveSkips: 47, skippedSteps: 47 });
    await assert.rejects(trainer.fit(always, loader(8)), /NaN or infinite for 50 optimizer steps in a row/);
    always.dispose();
    trainer.optimizer?.dispose();
  });
});
