import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormalization } from './batch-normalization.js';
import { strataDropout } from './dropout-layer.js';
import type { ActivationFn, Layer, ModelSpec } from './model-spec.js';
import { SeededInitializers } from './seeded-initializers.js';
import { swish } from './swish.js';

export interface LayersModelOptions {
  /** Input height and width in pixels. */
  readonly inputSize: readonly [number, number];
  /**
   * Weight initializers, seeded from `seed` in layer order: 'glorot' (tfjs's default, every
   * convolution and dense layer) or 'efficientnet' (the EfficientNet reference: variance scaling
   * 2.0 fan-out for convolutions, 1/3 fan-out uniform for the dense head).
   */
  readonly initializers: 'glorot' | 'efficientnet';
  readonly seed: number;
  /** Weight of the old value in the batch-norm running averages. */
  readonly batchNormMomentum: number;
  /** The model's name (default: the spec's). */
  readonly name?: string;
}

const BN_EPSILON = 1e-3;

/**
 * Builds `spec` as a tfjs-layers model that trains with `model.apply(x, { training: true })`
 * and saves and loads like any tfjs-layers model. Each layer takes the spec's `name`, so a
 * spec written with Keras' names (as `efficientNetB0Spec` is) loads the reference's weights. A
 * strided 'same' convolution becomes a zero padding (`${name}_pad`) and a 'valid' convolution,
 * as Keras' EfficientNet does: the padding is TensorFlow's 'same' (for stride 2, Keras'
 * `correct_pad`), so the numbers are those of the 'same' convolution. An activation fused into
 * a convolution in the spec is its own layer, `${name}_${fn}`.
 *
 * @example
 * const model = layersModelFromSpec(tinyCnnSpec(), { inputSize: [64, 64], initializers: 'glorot', seed: 0, batchNormMomentum: 0.9 });
 */
export function layersModelFromSpec(spec: ModelSpec, options: LayersModelOptions): tfl.LayersModel {
  const init = new SeededInitializers(options.seed);
  const convInit = () => (options.initializers === 'efficientnet' ? init.conv() : init.glorot());
  const denseInit = () => (options.initializers === 'efficientnet' ? init.dense() : init.glorot());
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;

  // A strided 'same' window as an explicit padding and a 'valid' window.
  const padded = (x: tfl.SymbolicTensor, kernel: number, stride: number, padding: 'same' | 'valid', name: string | undefined) => {
    if (stride === 1 || padding === 'valid') return { x, padding };
    const [, h, w] = x.shape as number[];
    const pads = [samePads(h!, kernel, stride), samePads(w!, kernel, stride)];
    return { x: apply(tfl.layers.zeroPadding2d({ padding: pads as [[number, number], [number, number]], ...named(name && `${name}_pad`) }), x), padding: 'valid' as const };
  };

  const render = (layers: readonly Layer[], input: tfl.SymbolicTensor): tfl.SymbolicTensor => {
    let x = input;
    for (const layer of layers) {
      const channels = (x.shape as number[])[x.shape.length - 1]!;
      switch (layer.kind) {
        case 'conv2d': {
          const p = padded(x, layer.kernel, layer.stride, layer.padding, layer.name);
          x = apply(tfl.layers.conv2d({ filters: layer.filters, kernelSize: layer.kernel, strides: layer.stride, padding: p.padding, useBias: layer.bias, kernelInitializer: convInit(), ...named(layer.name) }), p.x);
          if (layer.activation) x = apply(activation(layer.activation, layer.name && `${layer.name}_${layer.activation}`), x);
          break;
        }
        case 'depthwise2d': {
          const p = padded(x, layer.kernel, layer.stride, layer.padding, layer.name);
          x = apply(tfl.layers.depthwiseConv2d({ kernelSize: layer.kernel, strides: layer.stride, padding: p.padding, useBias: false, depthwiseInitializer: convInit(), ...named(layer.name) }), p.x);
          break;
        }
        case 'batchnorm':
          x = apply(batchNormalization({ axis: -1, momentum: options.batchNormMomentum, epsilon: BN_EPSILON, ...named(layer.name) }), x);
          break;
        case 'activation':
          x = apply(activation(layer.fn, layer.name), x);
          break;
        case 'maxpool':
          x = apply(tfl.layers.maxPooling2d({ poolSize: layer.size, strides: layer.stride, ...named(layer.name) }), x);
          break;
        case 'global-avg-pool':
          x = apply(tfl.layers.globalAveragePooling2d({ ...named(layer.name) }), x);
          break;
        case 'dense':
          x = apply(tfl.layers.dense({ units: layer.units, useBias: layer.bias, kernelInitializer: denseInit(), biasInitializer: 'zeros', ...named(layer.name) }), x);
          break;
        case 'squeeze-excite': {
          // The excitation's 1x1 convolutions, with their activations inside, as Keras' EfficientNet.
          const prefix = (part: string) => named(layer.name && `${layer.name}_${part}`);
          let se = apply(tfl.layers.globalAveragePooling2d(prefix('squeeze')), x);
          se = apply(tfl.layers.reshape({ targetShape: [1, 1, channels], ...prefix('reshape') }), se);
          se = apply(tfl.layers.conv2d({ filters: layer.reduced, kernelSize: 1, padding: 'same', activation: 'swish', kernelInitializer: convInit(), ...prefix('reduce') }), se);
          se = apply(tfl.layers.conv2d({ filters: channels, kernelSize: 1, padding: 'same', activation: 'sigmoid', kernelInitializer: convInit(), ...prefix('expand') }), se);
          x = apply(tfl.layers.multiply(prefix('excite')), [x, se]);
          break;
        }
        case 'residual': {
          const body = render(layer.body, x);
          x = apply(tfl.layers.add(named(layer.name && `${layer.name}_add`)), [body, x]);
          break;
        }
        case 'dropout': {
          // Per sample: one mask value per sample ([batch, 1, 1, ...]), so a sample keeps or skips the whole branch.
          const noiseShape = layer.perSample ? [null, ...x.shape.slice(1).map(() => 1)] : null;
          x = apply(strataDropout({ rate: layer.rate, noiseShape, ...named(layer.name) }), x);
          break;
        }
      }
    }
    return x;
  };

  const [height, width] = options.inputSize;
  const input = tfl.input({ shape: [height, width, spec.inputChannels], name: 'input' });
  return tfl.model({ inputs: input, outputs: render(spec.layers, input), name: options.name ?? spec.name });
}

/** TensorFlow's 'same' padding of one dimension: ceil(size / stride) outputs, the odd pixel at the end. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function activation(fn: ActivationFn, name: string | undefined): tfl.layers.Layer {
  // Strata's swish layer computes x * sigmoid(x) without tfjs-layers' multiply by one.
  return fn === 'swish' ? swish(named(name)) : tfl.layers.activation({ activation: fn, ...named(name) });
}

function named(name: string | undefined): { name?: string } {
  return name === undefined ? {} : { name };
}
