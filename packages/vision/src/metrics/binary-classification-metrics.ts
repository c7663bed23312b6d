import * as tf from '@tensorflow/tfjs-core';
import { stepOutput } from '@strata/core';
import { rocAuc } from './roc-auc.js';
import { thresholdMetrics, type ThresholdMetrics } from './threshold-metrics.js';

/** What `BinaryClassificationMetrics.compute` returns. */
export interface BinaryClassificationResult extends ThresholdMetrics {
  /** ROC-AUC, or NaN when the epoch held one class only. */
  readonly auc: number;
  readonly count: number;
}

/**
 * Accumulates a binary classifier's scores and labels over an epoch and computes ROC-AUC,
 * accuracy, precision and recall once at its end. `update` only keeps the tensors (on the
 * strategy's devices, no read), so it costs nothing per step on a remote TPU; `compute` reads
 * once, asynchronously.
 *
 * @example
 * // in validationStep:      this.metrics.update(tf.sigmoid(logits), batch.y);
 * // in onValidationEpochEnd: const { auc } = await this.metrics.compute(); this.log('val_auc', auc);
 */
export class BinaryClassificationMetrics {
  private scores: tf.Tensor[] = [];
  private labels: tf.Tensor[] = [];

  constructor(readonly threshold = 0.5) {}

  /** Keeps a batch of scores (probabilities) and labels; both are flattened. */
  update(scores: tf.Tensor, labels: tf.Tensor): void {
    // Step outputs: inside a compiled step, each replay keeps its own batch.
    tf.tidy(() => {
      stepOutput(tf.reshape(tf.cast(scores, 'float32'), [-1]), (t) => this.scores.push(tf.keep(t.clone())));
      stepOutput(tf.reshape(tf.cast(labels, 'float32'), [-1]), (t) => this.labels.push(tf.keep(t.clone())));
    });
  }

  /** Batches kept so far. */
  get batches(): number {
    return this.scores.length;
  }

  /**
   * Reads everything kept (once, concatenated), computes the metrics and resets. `read` is the
   * strategy's read; the default is `tensor.data()`.
   */
  async compute(read: (t: tf.Tensor) => Promise<ArrayLike<number>> = (t) => t.data()): Promise<BinaryClassificationResult> {
    if (this.scores.length === 0) {
      return { auc: Number.NaN, count: 0, ...thresholdMetrics([], [], this.threshold) };
    }
    const scores = tf.concat(this.scores);
    const labels = tf.concat(this.labels);
    try {
      const [s, l] = await Promise.all([read(scores), read(labels)]);
      let auc = Number.NaN;
      let positives = 0;
      for (let i = 0; i < l.length; i++) if (l[i] > 0.5) positives++;
      if (positives > 0 && positives < l.length) auc = rocAuc(l, s);
      return { auc, count: l.length, ...thresholdMetrics(l, s, this.threshold) };
    } finally {
      tf.dispose([scores, labels]);
      this.reset();
    }
  }

  /** Drops what was kept. */
  reset(): void {
    tf.dispose([...this.scores, ...this.labels]);
    this.scores = [];
    this.labels = [];
  }
}
