import { StrataError } from '@strata/core';

/**
 * Area under the ROC curve, exact with ties: the Mann-Whitney statistic with mid-ranks, i.e. the
 * probability that a random positive scores above a random negative, counting ties as one half.
 * Equal to scikit-learn's `roc_auc_score` (trapezoidal area under the exact ROC curve).
 * Labels are 0 or 1 (any value > 0.5 counts as positive).
 *
 * @example
 * rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (labels.length !== scores.length) {
    throw new StrataError('bad-input', `rocAuc got ${labels.length} labels and ${scores.length} scores.`, { value: [labels.length, scores.length], fix: 'pass one score per label.' });
  }
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    // Ranks start..end-1 (0-based) share the mid-rank; ranks are 1-based in the formula.
    const midRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]] > 0.5) {
        positives++;
        rankSum += midRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) {
    throw new StrataError('bad-input', `ROC-AUC is undefined with only one class present (${positives} positives, ${negatives} negatives).`, {
      value: { positives, negatives },
      fix: 'validate on a set that holds both classes (a stratified or larger validation fold).',
    });
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
