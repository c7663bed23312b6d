import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining, dropout } from '@strata/core';
import type { ActivationFn, Layer, ModelSpec } from './model-spec.js';

/** A model built from a spec: its trainable variables and its forward pass (training mode). */
export interface TfjsModel {
  readonly variables: readonly tf.Variable[];
  /** [N, S, S, C] images -> [N, units] logits. */
  apply(images: tf.Tensor4D): tf.Tensor2D;
}

const BN_EPSILON = 1e-3;

/** The training batch norm: 'strata' (`batchNormTraining`, one op) or 'tfjs' (tfjs-layers' moments + batchNorm). */
export type TfjsBatchNorm = 'strata' | 'tfjs';

export interface TfjsModelOptions {
  /** Seed of the first weight (default 1). */
  readonly seed?: number;
  /** 'strata' (default): `batchNormTraining`; 'tfjs': tfjs-layers' moments + batchNorm, recorded op by op. */
  readonly batchNorm?: TfjsBatchNorm;
}

/**
 * Builds `spec` from tfjs-core ops (the ops tfjs-layers would call: fused conv+bias+relu,
 * depthwise conv) and Strata's training batch norm (tfjs-layers' moments and batchNorm as one op
 * with its own gradient, fused where the backend has a kernel for it, as PyTorch's batch norm
 * is), so that it runs on every strategy, the lazy TPU one included. Weights are He-normal with a fixed seed; call inside `strategy.scope()`.
 *
 * @example
 * const model = strategy.scope(() => buildTfjsModel(TINY_CNN, { seed: 3 }));
 * const logits = model.apply(images);
 */
export function buildTfjsModel(spec: ModelSpec, options: TfjsModelOptions = {}): TfjsModel {
  const variables: tf.Variable[] = [];
  let nextSeed = options.seed ?? 1;
  const batchNorm = options.batchNorm === 'tfjs' ? tfjsLayersBatchNorm : strataBatchNorm;
  // Variables take tfjs's own unique names, so that several models can live in one process.
  const keep = (initial: tf.Tensor): tf.Variable => {
    const v = tf.variable(initial, true);
    initial.dispose();
    variables.push(v);
    return v;
  };
  const weight = (shape: number[], fanIn: number): tf.Variable => keep(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', nextSeed++));
  const constant = (shape: number[], value: number): tf.Variable => keep(tf.fill(shape, value));

  // Builds each layer once (creating its variables) and returns the function that applies it.
  const build = (layers: readonly Layer[], channels: number): { run: (x: tf.Tensor) => tf.Tensor; channels: number } => {
    const steps: Array<(x: tf.Tensor) => tf.Tensor> = [];
    let c = channels;
    for (const layer of layers) {
      switch (layer.kind) {
        case 'conv2d': {
          const filter = weight([layer.kernel, layer.kernel, c, layer.filters], layer.kernel * layer.kernel * c);
          const bias = layer.bias ? constant([layer.filters], 0) : undefined;
          const { stride, padding, activation } = layer;
          // relu and linear go through the fused kernel (FusedConv2D), as tfjs-layers does.
          const fusedActivation = activation === 'relu' ? 'relu' : 'linear';
          steps.push((x) => {
            const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: filter as tf.Tensor4D, strides: stride, pad: padding, bias, activation: fusedActivation });
            return activation && activation !== 'relu' ? activate(y, activation) : y;
          });
          c = layer.filters;
          break;
        }
        case 'depthwise2d': {
          const filter = weight([layer.kernel, layer.kernel, c, 1], layer.kernel * layer.kernel);
          const { stride, padding } = layer;
          steps.push((x) => tf.depthwiseConv2d(x as tf.Tensor4D, filter as tf.Tensor4D, stride, padding));
          break;
        }
        case 'batchnorm': {
          const scale = constant([c], 1);
          const offset = constant([c], 0);
          steps.push((x) => batchNorm(x as tf.Tensor4D, scale as tf.Tensor1D, offset as tf.Tensor1D));
          break;
        }
        case 'activation': {
          const fn = layer.fn;
          steps.push((x) => activate(x, fn));
          break;
        }
        case 'maxpool': {
          const { size, stride } = layer;
          steps.push((x) => tf.maxPool(x as tf.Tensor4D, size, stride, 'valid'));
          break;
        }
        case 'global-avg-pool':
          steps.push((x) => tf.mean(x, [1, 2]));
          break;
        case 'dense': {
          const kernel = weight([c, layer.units], c);
          const bias = layer.bias ? constant([layer.units], 0) : undefined;
          steps.push((x) => tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias }));
          c = layer.units;
          break;
        }
        case 'squeeze-excite': {
          const reduceW = weight([1, 1, c, layer.reduced], c);
          const reduceB = constant([layer.reduced], 0);
          const expandW = weight([1, 1, layer.reduced, c], layer.reduced);
          const expandB = constant([c], 0);
          steps.push((x) => {
            const squeezed = tf.mean(x, [1, 2], true) as tf.Tensor4D;
            const reduced = activate(tf.fused.conv2d({ x: squeezed, filter: reduceW as tf.Tensor4D, strides: 1, pad: 'valid', bias: reduceB }), 'swish');
            const gate = tf.sigmoid(tf.fused.conv2d({ x: reduced as tf.Tensor4D, filter: expandW as tf.Tensor4D, strides: 1, pad: 'valid', bias: expandB }));
            return tf.mul(x, gate);
          });
          break;
        }
        case 'residual': {
          const body = build(layer.body, c);
          steps.push((x) => tf.add(x, body.run(x)));
          break;
        }
        case 'dropout': {
          const { rate, perSample } = layer;
          // Drawn on the device where the backend can (a compiled step then gets a new mask at each replay).
          steps.push((x) => dropout(x, rate, perSample ? [x.shape[0]!, ...x.shape.slice(1).map(() => 1)] : undefined));
          break;
        }
      }
    }
    return { run: (x) => steps.reduce((y, f) => f(y), x), channels: c };
  };

  const model = build(spec.layers, spec.inputChannels);
  return { variables, apply: (images) => model.run(images) as tf.Tensor2D };
}

function strataBatchNorm(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D): tf.Tensor {
  return batchNormTraining(x, scale, offset, BN_EPSILON).y;
}

function tfjsLayersBatchNorm(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, offset, scale, BN_EPSILON);
}

function activate(x: tf.Tensor, fn: ActivationFn): tf.Tensor {
  switch (fn) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
  }
}
