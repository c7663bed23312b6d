/**
 * Plain L2-regularised logistic regression, trained by full-batch gradient descent on
 * standardised features: the linear baseline the synthetic data is calibrated against (a
 * convnet must beat it by a wide margin). Hand-written because it is a few dozen lines and
 * needs no tensor engine; returns the validation samples' scores (logits) for the
 * regularisation strength `l2`.
 */
export function logisticRegressionScores(
  train: { features: Float32Array[]; labels: number[] },
  val: { features: Float32Array[] },
  l2: number,
  iterations = 300,
  learningRate = 0.5,
): Float64Array {
  const dim = train.features[0].length;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (const f of train.features) for (let j = 0; j < dim; j++) mean[j] += f[j] / train.features.length;
  for (const f of train.features) for (let j = 0; j < dim; j++) std[j] += (f[j] - mean[j]) ** 2 / train.features.length;
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]) || 1;
  const standardise = (f: Float32Array) => Float64Array.from(f, (v, j) => (v - mean[j]) / std[j]);
  const xs = train.features.map(standardise);
  const w = new Float64Array(dim);
  let b = 0;
  const n = xs.length;
  for (let it = 0; it < iterations; it++) {
    const grad = new Float64Array(dim);
    let gradB = 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      const x = xs[i];
      for (let j = 0; j < dim; j++) z += w[j] * x[j];
      const err = 1 / (1 + Math.exp(-z)) - train.labels[i];
      for (let j = 0; j < dim; j++) grad[j] += err * x[j];
      gradB += err;
    }
    for (let j = 0; j < dim; j++) w[j] -= learningRate * (grad[j] / n + l2 * w[j]);
    b -= (learningRate * gradB) / n;
  }
  return Float64Array.from(val.features.map(standardise), (x) => x.reduce((z, v, j) => z + w[j] * v, b));
}
