// Test support: the benchmark's tiny CNN (its one definition, @strata/vision's tinyCnnSpec)
// built from tfjs-core ops by buildTfjsModel, so the same code trains on any backend, the lazy
// XLA one included. Its weights are drawn on the host from fixed seeds, equal on every backend.
import * as tf from '@tensorflow/tfjs-core';
import { buildTfjsModel, tinyCnnSpec } from '@strata/vision/models';
import { seeded } from '@strata/xla/testing';

export interface TinyCnn {
  readonly vars: tf.Variable[];
  readonly optimizer: tf.Optimizer;
  /** One training step (forward, backward, optimizer update); returns the loss. */
  step(x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar;
  dispose(): void;
}

export interface TinyCnnOptions {
  readonly optimizer?: 'adam' | 'sgd' | 'rmsprop';
  readonly learningRate?: number;
  /** Channels of the input images (default 3). */
  readonly channels?: number;
}

/** The tiny CNN: conv3x3(16)+relu, maxpool 2; conv3x3(32)+relu, maxpool 2; conv3x3(64)+relu; global average pool; dense(1). */
export function tinyCnn(options: TinyCnnOptions = {}): TinyCnn {
  const model = buildTfjsModel(tinyCnnSpec({ inputChannels: options.channels ?? 3 }), { seed: 11 });
  const vars = [...model.variables];
  const lr = options.learningRate ?? 1e-3;
  const optimizer =
    options.optimizer === 'sgd' ? tf.train.sgd(lr) : options.optimizer === 'rmsprop' ? tf.train.rmsprop(lr) : tf.train.adam(lr);
  return {
    vars,
    optimizer,
    step: (x, y) => optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x)) as tf.Scalar, true, vars) as tf.Scalar,
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
