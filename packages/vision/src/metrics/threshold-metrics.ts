/** Accuracy, precision and recall of the decision `score >= threshold`. */
export interface ThresholdMetrics {
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
}

/**
 * Confusion counts at a threshold and the rates from them. Precision is 0 when nothing is
 * predicted positive and recall is 0 when there are no positives (scikit-learn's
 * `zero_division=0`).
 *
 * @example
 * thresholdMetrics([0, 1, 1], [0.2, 0.7, 0.4], 0.5); // accuracy 2/3, precision 1, recall 0.5
 */
export function thresholdMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): ThresholdMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const positive = labels[i] > 0.5;
    const predicted = scores[i] >= threshold;
    if (positive && predicted) tp++;
    else if (positive) fn++;
    else if (predicted) fp++;
    else tn++;
  }
  const total = tp + fp + tn + fn;
  return {
    accuracy: total === 0 ? 0 : (tp + tn) / total,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
  };
}
