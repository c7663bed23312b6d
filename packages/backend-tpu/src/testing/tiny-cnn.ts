// Test and benchmark support: the "tiny CNN" of DESIGN.md written with tfjs-core ops, so the
// same code trains on any backend. Weights come from a seeded generator on the host.
import * as tf from '@tensorflow/tfjs-core';
import { seeded } from './lowering-check.js';

export interface TinyCnn {
  readonly vars: tf.Variable[];
  readonly optimizer: tf.Optimizer;
  /** One training step (forward, backward, Adam update); returns the loss. */
  step(x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar;
  dispose(): void;
}

export interface TinyCnnOptions {
  readonly optimizer?: 'adam' | 'sgd' | 'rmsprop';
  readonly learningRate?: number;
  readonly channels?: number;
}

function variable(shape: number[], seed: number, scale: number): tf.Variable {
  const t = seeded(shape, 'float32', seed);
  const values = (t.values as Float32Array).map((v) => v * scale);
  return tf.variable(tf.tensor(values, shape));
}

/** conv3x3(16)+relu, maxpool 2; conv3x3(32)+relu, maxpool 2; conv3x3(64)+relu; global average pool; dense(1). */
export function tinyCnn(options: TinyCnnOptions = {}): TinyCnn {
  const c = options.channels ?? 3;
  const vars = [
    variable([3, 3, c, 16], 11, Math.sqrt(2 / (9 * c))),
    variable([16], 12, 0.01),
    variable([3, 3, 16, 32], 13, Math.sqrt(2 / (9 * 16))),
    variable([32], 14, 0.01),
    variable([3, 3, 32, 64], 15, Math.sqrt(2 / (9 * 32))),
    variable([64], 16, 0.01),
    variable([64, 1], 17, Math.sqrt(1 / 64)),
    variable([1], 18, 0.01),
  ];
  const [w1, b1, w2, b2, w3, b3, wd, bd] = vars;
  const lr = options.learningRate ?? 1e-3;
  const optimizer =
    options.optimizer === 'sgd' ? tf.train.sgd(lr) : options.optimizer === 'rmsprop' ? tf.train.rmsprop(lr) : tf.train.adam(lr);
  const forward = (x: tf.Tensor4D): tf.Tensor2D => {
    let h = tf.fused.conv2d({ x, filter: w1 as tf.Tensor4D, strides: 1, pad: 'same', bias: b1, activation: 'relu' });
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.fused.conv2d({ x: h, filter: w2 as tf.Tensor4D, strides: 1, pad: 'same', bias: b2, activation: 'relu' });
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.fused.conv2d({ x: h, filter: w3 as tf.Tensor4D, strides: 1, pad: 'same', bias: b3, activation: 'relu' });
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    return tf.fused.matMul({ a: pooled, b: wd as tf.Tensor2D, bias: bd });
  };
  return {
    vars,
    optimizer,
    step: (x, y) => optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, forward(x)) as tf.Scalar, true, vars) as tf.Scalar,
    dispose: () => {
      tf.dispose(vars);
      optimizer.dispose();
    },
  };
}

/** A deterministic batch on the host: images in [-1, 1), labels 0/1 tied to the brightness. */
export function tinyBatchValues(batch: number, size: number, seed: number, channels = 3): { x: Float32Array; y: Float32Array } {
  const img = seeded([batch, size, size, channels], 'float32', seed);
  const values = img.values as Float32Array;
  const per = size * size * channels;
  const labels = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    // Brighten half of the images so that the label is learnable.
    const on = b % 2 === 0;
    labels[b] = on ? 1 : 0;
    if (on) for (let k = b * per; k < (b + 1) * per; k++) values[k] += 0.5;
  }
  return { x: values, y: labels };
}

/** The same batch as tensors on the active backend. */
export function tinyBatch(batch: number, size: number, seed: number, channels = 3): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const { x, y } = tinyBatchValues(batch, size, seed, channels);
  return { x: tf.tensor4d(x, [batch, size, size, channels]), y: tf.tensor2d(y, [batch, 1]) };
}
