import * as tf from '@tensorflow/tfjs-core';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Linear, jsCpu, loader } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import { LambdaLr } from './lambda-lr.js';
import { getLearningRate, setLearningRate } from './learning-rate.js';
import type { OptimizerConfig } from './optimizer-config.js';
import { ReduceLrOnPlateau } from './reduce-lr-on-plateau.js';
import { StepLr } from './step-lr.js';

describe('learning-rate schedulers', () => {
  it('set the rate of SGD (cached scalar) and Adam (field)', async () => {
    await jsCpu();
    const sgd = tf.train.sgd(0.1);
    setLearningRate(sgd, 0.05);
    assert.equal(getLearningRate(sgd), 0.05);
    // SGD applies -lr from a cached scalar: the update must use the new rate.
    const v = tf.variable(tf.scalar(1));
    sgd.applyGradients({ [v.name]: tf.scalar(1) });
    assert.ok(Math.abs((await v.data())[0] - 0.95) < 1e-7);
    const adam = tf.train.adam(0.01);
    setLearningRate(adam, 0.002);
    assert.equal(getLearningRate(adam), 0.002);
    tf.dispose([v]);
    sgd.dispose();
    adam.dispose();
  });

  it('StepLr and LambdaLr follow torch', () => {
    const opt = tf.train.adam(1);
    const step = new StepLr(opt, { stepSize: 2, gamma: 0.5 });
    const seen = [];
    for (let i = 0; i < 5; i++) {
      step.step();
      seen.push(step.lr);
    }
    assert.deepEqual(seen, [1, 0.5, 0.5, 0.25, 0.25]);
    const warm = new LambdaLr(tf.train.sgd(0.2), (e) => Math.min(1, (e + 1) / 4));
    warm.step();
    assert.ok(Math.abs(warm.lr - 0.1) < 1e-12);
  });

  it('ReduceLrOnPlateau reduces after patience, with cooldown, down to minLr', () => {
    const s = new ReduceLrOnPlateau(tf.train.sgd(1), { patience: 1, factor: 0.5, cooldown: 1, minLr: 0.2 });
    const lrs = [3, 2, 2, 2, 2, 2, 2, 2, 2].map((m) => (s.step(m), s.lr));
    assert.deepEqual(lrs, [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
    s.step(2);
    s.step(2);
    assert.equal(s.lr, 0.2, 'never below minLr');
  });

  it('the Trainer steps them by epoch, by step with a frequency, and on a monitored metric', async () => {
    const strategy = await jsCpu();
    class Scheduled extends Linear {
      constructor(private readonly make: (o: tf.Optimizer) => OptimizerConfig['lrScheduler']) {
        super();
      }
      override validationStep(): void {
        this.log('score', 1); // never improves
      }
      override configureOptimizers(): OptimizerConfig {
        const optimizer = tf.train.sgd(1);
        return { optimizer, lrScheduler: this.make(optimizer) };
      }
    }
    const run = async (make: (o: tf.Optimizer) => OptimizerConfig['lrScheduler'], epochs: number) => {
      const module = new Scheduled(make);
      const trainer = new Trainer({ strategy, maxEpochs: epochs, enableProgressBar: false, numSanityValSteps: 0 });
      await trainer.fit(module, loader(8), loader(16));
      const lr = getLearningRate(trainer.optimizer!);
      module.dispose();
      trainer.optimizer?.dispose();
      return lr;
    };
    assert.equal(await run((o) => new StepLr(o, { stepSize: 1, gamma: 0.5 }), 3), 0.125);
    // 4 steps per epoch, every 2 steps: 4 decays in 2 epochs.
    assert.equal(await run((o) => ({ scheduler: new StepLr(o, { stepSize: 1, gamma: 0.5 }), interval: 'step', frequency: 2 }), 2), 1 / 16);
    // A score that never improves, patience 0: halved after epochs 1 and 2.
    assert.equal(await run((o) => ({ scheduler: new ReduceLrOnPlateau(o, { patience: 0, factor: 0.5 }), monitor: 'score' }), 3), 0.25);
    await assert.rejects(run((o) => ({ scheduler: new ReduceLrOnPlateau(o), monitor: 'nope' }), 1), /monitors "nope", which was not logged.*score/);
  });
});
