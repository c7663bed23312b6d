import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidOption } from '@strata/core';
import { layersModelFromSpec } from './layers-model.js';
import type { Layer, ModelSpec } from './model-spec.js';

export interface TinyCnnSpecOptions {
  /** Channels of the three convolutions. Default [16, 32, 64], the benchmark network's. */
  readonly filters?: readonly [number, number, number];
  /** Outputs of the head (1: one logit). Default 1. */
  readonly outputs?: number;
  /** Batch norm after each convolution (not in the benchmark network; trains faster). Default false. */
  readonly batchNorm?: boolean;
  /** Channels of the input images. Default 3. */
  readonly inputChannels?: number;
}

export interface TinyCnnOptions extends Omit<TinyCnnSpecOptions, 'inputChannels'> {
  /** Input height and width (one number for a square). Default 64. */
  readonly inputSize?: number | readonly [number, number];
  /** Seed of the weight initializers. Default 0. */
  readonly seed?: number;
}

/**
 * The "tiny CNN", the benchmark network for quick runs: conv3x3(16)+relu, maxpool 2;
 * conv3x3(32)+relu, maxpool 2; conv3x3(64)+relu; global average pooling; dense(1), ending in
 * logits. This is its one definition: the tfjs-layers model (`tinyCnn`), the bench's tfjs-core
 * model (`buildTfjsModel`), its FLOP count and the Python peers are all built from this spec.
 *
 * @example
 * countFlops(tinyCnnSpec(), 64, 32);
 * const wide = tinyCnnSpec({ filters: [32, 64, 128], batchNorm: true });
 */
export function tinyCnnSpec(options: TinyCnnSpecOptions = {}): ModelSpec {
  const filters = options.filters ?? [16, 32, 64];
  const outputs = options.outputs ?? 1;
  const bn = options.batchNorm ?? false;
  const conv = (n: number): Layer[] => {
    const name = `conv${n}`;
    const layer = { kind: 'conv2d', name, filters: filters[n - 1]!, kernel: 3, stride: 1, padding: 'same' } as const;
    return bn
      ? [{ ...layer, bias: false }, { kind: 'batchnorm', name: `${name}_bn` }, { kind: 'activation', fn: 'relu', name: `${name}_relu` }]
      : [{ ...layer, bias: true, activation: 'relu' }];
  };
  const pool = (n: number): Layer => ({ kind: 'maxpool', name: `pool${n}`, size: 2, stride: 2 });
  const relu = bn ? '+bn+relu' : '+relu';
  return {
    name: 'tiny-cnn',
    summary: `conv3x3(${filters[0]})${relu}, maxpool2, conv3x3(${filters[1]})${relu}, maxpool2, conv3x3(${filters[2]})${relu}, global avg pool, dense(${outputs})`,
    inputChannels: options.inputChannels ?? 3,
    layers: [...conv(1), pool(1), ...conv(2), pool(2), ...conv(3), { kind: 'global-avg-pool', name: 'avg_pool' }, { kind: 'dense', name: 'predictions', units: outputs, bias: true }],
  };
}

/** The benchmark's tiny CNN on 3-channel images (the bench's `--models tiny-cnn`). */
export const TINY_CNN: ModelSpec = tinyCnnSpec();

/**
 * The tiny CNN (`tinyCnnSpec`) as a tfjs-layers model with Glorot-uniform weights seeded from
 * `seed`; batch norm, when asked for, keeps running averages with momentum 0.9. It outputs logits.
 *
 * @example
 * const model = tinyCnn({ inputSize: 64 });
 * const logits = model.apply(images, { training: true }) as tf.Tensor; // [batch, 1]
 */
export function tinyCnn(options: TinyCnnOptions = {}): tfl.LayersModel {
  const size = options.inputSize ?? 64;
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  if (![height, width].every((s) => Number.isInteger(s) && s >= 8)) invalidOption('inputSize', size, 'an integer >= 8 or a pair of them');
  return layersModelFromSpec(tinyCnnSpec(options), { inputSize: [height, width], initializers: 'glorot', seed: options.seed ?? 0, batchNormMomentum: 0.9 });
}
