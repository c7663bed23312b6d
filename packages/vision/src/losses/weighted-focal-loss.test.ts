import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { sigmoidCrossEntropy } from './sigmoid-cross-entropy.js';
import { WeightedFocalLoss } from './weighted-focal-loss.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe('WeightedFocalLoss', () => {
  it('equals the hand-computed loss (alpha 0.25, gamma 2)', async () => {
    // logit 0, label 1: BCE = ln 2, p_t = 0.5, a_t = 0.75      -> 0.75 * 0.25 * ln2
    // logit 2, label 0: BCE = ln(1 + e^2), p_t = 1/(1+e^2), a_t = 0.25 -> 0.25 * (e^2/(1+e^2))^2 * ln(1+e^2)
    // logit -1, label 0: BCE = ln(1 + e^-1), p_t = 1/(1+e^-1), a_t = 0.25
    const e2 = Math.exp(2);
    const em1 = Math.exp(-1);
    const expected = (0.75 * 0.25 * Math.LN2 + 0.25 * (e2 / (1 + e2)) ** 2 * Math.log(1 + e2) + 0.25 * (em1 / (1 + em1)) ** 2 * Math.log(1 + em1)) / 3;
    const loss = new WeightedFocalLoss().call(tf.tensor1d([1, 0, 0]), tf.tensor2d([[0], [2], [-1]]));
    close((await loss.data())[0], expected);
  });

  it('with gamma 0 and alpha 0.5 is half the cross-entropy', async () => {
    const labels = tf.tensor1d([1, 0, 1, 0]);
    const logits = tf.tensor2d([[3], [-2], [-0.5], [0.7]]);
    const focal = new WeightedFocalLoss({ alpha: 0.5, gamma: 0 }).call(labels, logits);
    close((await focal.data())[0], 0.5 * (await sigmoidCrossEntropy(labels, logits).data())[0]);
  });

  it('is finite for extreme logits and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const labels = tf.tensor1d([1, 0]);
    const logits = tf.tensor2d([[-100], [100]]);
    const loss = new WeightedFocalLoss().call(labels, logits);
    // Confidently wrong: (1 - p_t) ~ 1, BCE ~ 100.
    close((await loss.data())[0], (0.75 * 100 + 0.25 * 100) / 2, 1e-3);
    tf.dispose([labels, logits, loss]);
    assert.equal(tf.memory().numTensors, before);
  });

  it('has the gradient of the formula', async () => {
    const { value, grads } = tf.variableGrads(() => new WeightedFocalLoss({ alpha: 0.25, gamma: 2 }).call(tf.tensor1d([1]), tf.reshape(v, [1, 1])), [v]);
    // d/dx [0.75 (1 - s)^2 * -ln s] at x = 0.3, by central differences.
    const f = (x: number) => { const s = 1 / (1 + Math.exp(-x)); return 0.75 * (1 - s) ** 2 * -Math.log(s); };
    close((await grads[v.name].data())[0], (f(0.3 + 1e-4) - f(0.3 - 1e-4)) / 2e-4, 1e-4);
    tf.dispose([value, ...Object.values(grads)]);
  });
});

const v = tf.variable(tf.scalar(0.3), true, 'focal_test_x');
