import * as tfl from '@tensorflow/tfjs-layers';
import { invalidOption } from '@strata/core';
import { batchNormalization } from './batch-normalization.js';
import { SeededInitializers } from './seeded-initializers.js';

export interface TinyCnnOptions {
  /** Input height and width (one number for a square). Default 64. */
  readonly inputSize?: number | readonly [number, number];
  /** Channels of the three convolutions. Default [16, 32, 64], as in DESIGN.md. */
  readonly filters?: readonly [number, number, number];
  /** Outputs of the head (1: one logit). Default 1. */
  readonly outputs?: number;
  /** Seed of the weight initializers. Default 0. */
  readonly seed?: number;
  /** Batch norm after each convolution (not in DESIGN.md's benchmark network; trains faster). Default false. */
  readonly batchNorm?: boolean;
}

/**
 * The "tiny CNN" of DESIGN.md, the benchmark network for quick runs: conv3x3(16)+relu,
 * maxpool 2; conv3x3(32)+relu, maxpool 2; conv3x3(64)+relu; global average pooling; dense(1).
 * It outputs logits.
 *
 * @example
 * const model = tinyCnn({ inputSize: 64 });
 * const logits = model.apply(images, { training: true }) as tf.Tensor; // [batch, 1]
 */
export function tinyCnn(options: TinyCnnOptions = {}): tfl.LayersModel {
  const size = options.inputSize ?? 64;
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  if (![height, width].every((s) => Number.isInteger(s) && s >= 8)) invalidOption('inputSize', size, 'an integer >= 8 or a pair of them');
  const [f1, f2, f3] = options.filters ?? [16, 32, 64];
  const init = new SeededInitializers(options.seed ?? 0);
  const bn = options.batchNorm ?? false;
  const conv = (x: tfl.SymbolicTensor, filters: number, name: string): tfl.SymbolicTensor => {
    let y = tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: !bn, kernelInitializer: init.glorot(), name }).apply(x) as tfl.SymbolicTensor;
    if (bn) y = batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(y) as tfl.SymbolicTensor;
    return tfl.layers.activation({ activation: 'relu', name: `${name}_relu` }).apply(y) as tfl.SymbolicTensor;
  };
  const input = tfl.input({ shape: [height, width, 3], name: 'input' });
  let x = conv(input, f1, 'conv1');
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tfl.SymbolicTensor;
  x = conv(x, f2, 'conv2');
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tfl.SymbolicTensor;
  x = conv(x, f3, 'conv3');
  x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tfl.SymbolicTensor;
  const outputs = options.outputs ?? 1;
  const logits = tfl.layers.dense({ units: outputs, kernelInitializer: init.glorot(), name: 'predictions' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name: 'tiny-cnn' });
}
