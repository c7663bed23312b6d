import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BinaryClassificationMetrics } from './binary-classification-metrics.js';
import { rocAuc } from './roc-auc.js';
import { thresholdMetrics } from './threshold-metrics.js';

// Reference values from scikit-learn 1.9.1 `roc_auc_score`, computed by
// packages/vision/scripts/reference-auc.py on exactly these vectors.
const CASES: [string, number[], number[], number][] = [
  ['no ties', [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75],
  ['ties across classes', [0, 1, 0, 1, 1, 0, 0, 1], [0.5, 0.5, 0.2, 0.9, 0.2, 0.7, 0.5, 0.5], 0.53125],
  ['all scores equal', [0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3], 0.5],
  ['imbalanced with ties', [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1], [0.1, 0.2, 0.2, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 0.6, 0.9, 0.3], 0.65],
  ['inverted', [1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9], 0],
];

describe('rocAuc', () => {
  for (const [name, labels, scores, expected] of CASES) {
    it(`matches scikit-learn on "${name}" (${expected})`, () => {
      assert.ok(Math.abs(rocAuc(labels, scores) - expected) < 1e-12, `${rocAuc(labels, scores)} vs ${expected}`);
    });
  }

  it('refuses a single class, naming the counts', () => {
    assert.throws(() => rocAuc([1, 1], [0.2, 0.3]), /only one class present \(2 positives, 0 negatives\)/);
  });
});

describe('thresholdMetrics', () => {
  it('counts the confusion matrix at the threshold', () => {
    const m = thresholdMetrics([0, 1, 1, 0, 1], [0.2, 0.7, 0.4, 0.6, 0.5], 0.5);
    assert.deepEqual([m.truePositives, m.falsePositives, m.trueNegatives, m.falseNegatives], [2, 1, 1, 1]);
    assert.equal(m.accuracy, 3 / 5);
    assert.equal(m.precision, 2 / 3);
    assert.equal(m.recall, 2 / 3);
  });
});

describe('BinaryClassificationMetrics', () => {
  it('accumulates batches as tensors and reads them once, at the end, with no leak', async () => {
    const metrics = new BinaryClassificationMetrics();
    const before = tf.memory().numTensors;
    const [, labels, scores] = CASES[3];
    for (let i = 0; i < labels.length; i += 5) {
      tf.tidy(() => metrics.update(tf.tensor2d(scores.slice(i, i + 5), [Math.min(5, labels.length - i), 1]), tf.tensor1d(labels.slice(i, i + 5))));
    }
    assert.equal(metrics.batches, 3);
    const result = await metrics.compute();
    assert.ok(Math.abs(result.auc - 0.65) < 1e-6);
    assert.equal(result.count, 12);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(metrics.batches, 0);
  });
});
