import { StrataError, quote } from '@strata/core';
import type { Layer, ModelSpec, Padding } from '@strata/vision/models';
import { exampleShape, inputName, lossName, modelInput } from '../models/model-input.js';
import type { ModelFlops } from '../report/report-types.js';

/** Height, width, channels of one image's activation. */
export type Shape3 = readonly [number, number, number];

/** The multiply-adds of one layer that has weights, for one image. */
export interface LayerCount {
  /** Position in the spec, e.g. '3' or '5.body.2' (inside a residual block), with the kind. */
  readonly path: string;
  readonly kind: 'conv2d' | 'depthwise2d' | 'dense' | 'se-reduce' | 'se-expand';
  readonly input: Shape3;
  readonly output: Shape3;
  /** Window size and stride of a convolution (1 for dense layers and the excitation's 1x1 convolutions). */
  readonly kernel: number;
  readonly stride: number;
  /** Forward FLOPs for one image: 2 x multiply-accumulates. */
  readonly forwardFlops: number;
  /**
   * Whether the backward pass computes this layer's input gradient. Only the first layer that
   * reads the raw images skips it: no framework differentiates with respect to the data.
   */
  readonly inputGradient: boolean;
  readonly params: number;
}

export interface FlopCount {
  readonly model: string;
  readonly imageSize: number;
  readonly batchSize: number;
  readonly layers: readonly LayerCount[];
  /** Trainable parameters (weights, biases, batch-norm scale and offset). */
  readonly params: number;
  /** Per image. */
  readonly forwardFlopsPerImage: number;
  readonly trainFlopsPerImage: number;
  /** One training step on the whole batch: forward, both gradients, for every image. */
  readonly trainFlopsPerStep: number;
}

/**
 * How the counts are made, printed next to every GFLOP/s figure.
 */
export const FLOP_FORMULA =
  'FLOPs = 2 x multiply-accumulates of convolutions, depthwise convolutions and dense layers ' +
  '(conv: 2*Ho*Wo*Co*K*K*Ci, depthwise: 2*Ho*Wo*C*K*K, dense: 2*In*Out); a training step = forward + ' +
  'weight gradient (= forward) + input gradient (= forward, except the first layer); biases, batch norm, ' +
  'activations, pooling, the loss and the optimizer are not counted.';

/** The spatial size after a window of `kernel` with `stride`, TensorFlow's rule. */
export function outputSize(input: number, kernel: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(input / stride) : Math.floor((input - kernel) / stride) + 1;
}

/**
 * Counts the FLOPs of one training step of `spec` on a batch of `batchSize` images of
 * `imageSize` x `imageSize` (or of `batchSize` vectors, for a model that takes them: the MLP).
 *
 * @example
 * const count = countFlops(TINY_CNN, 64, 32);
 * console.log(count.trainFlopsPerStep / 1e9, 'GFLOP per step');
 */
export function countFlops(spec: ModelSpec, imageSize: number, batchSize: number): FlopCount {
  for (const [name, value] of [['imageSize', imageSize], ['batchSize', batchSize]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new StrataError('invalid-option', `Invalid ${name}: received ${quote(value)}.`, { value, fix: `${name} must be a whole number of at least 1.` });
    }
  }
  const walker = new Walker();
  const flat = walker.walk(spec.layers, exampleShape(spec, imageSize), '');
  if (flat.length !== 1) {
    throw new StrataError('bad-input', `Model ${quote(spec.name)} does not end in a [N, units] output (ends in ${quote(flat)}).`, {
      value: flat,
      fix: 'end the spec with global-avg-pool and dense.',
    });
  }
  const forward = sum(walker.layers.map((l) => l.forwardFlops));
  const train = sum(walker.layers.map((l) => l.forwardFlops * (l.inputGradient ? 3 : 2)));
  return {
    model: spec.name,
    imageSize,
    batchSize,
    layers: walker.layers,
    params: walker.params,
    forwardFlopsPerImage: forward,
    trainFlopsPerImage: train,
    trainFlopsPerStep: train * batchSize,
  };
}

/** Walks the layer list, tracking one image's shape: [H, W, C], or [C] after global pooling. */
class Walker {
  readonly layers: LayerCount[] = [];
  params = 0;
  private seenWeights = false;

  walk(layers: readonly Layer[], shape: readonly number[], prefix: string): readonly number[] {
    let current = shape;
    layers.forEach((layer, i) => {
      current = this.step(layer, current, `${prefix}${i}`);
    });
    return current;
  }

  private step(layer: Layer, shape: readonly number[], path: string): readonly number[] {
    switch (layer.kind) {
      case 'conv2d': {
        const [h, w, c] = image(shape, path, layer.kind);
        const out = nonEmpty([outputSize(h, layer.kernel, layer.stride, layer.padding), outputSize(w, layer.kernel, layer.stride, layer.padding), layer.filters], [h, w, c], path, layer.kind);
        const params = layer.kernel * layer.kernel * c * layer.filters + (layer.bias ? layer.filters : 0);
        this.add(path, 'conv2d', [h, w, c], out, 2 * out[0] * out[1] * out[2] * layer.kernel * layer.kernel * c, params, layer.kernel, layer.stride);
        return out;
      }
      case 'depthwise2d': {
        const [h, w, c] = image(shape, path, layer.kind);
        const out = nonEmpty([outputSize(h, layer.kernel, layer.stride, layer.padding), outputSize(w, layer.kernel, layer.stride, layer.padding), c], [h, w, c], path, layer.kind);
        this.add(path, 'depthwise2d', [h, w, c], out, 2 * out[0] * out[1] * c * layer.kernel * layer.kernel, layer.kernel * layer.kernel * c, layer.kernel, layer.stride);
        return out;
      }
      case 'dense': {
        if (shape.length !== 1) throw shapeError(path, layer.kind, shape, 'a flat [C] input (after global-avg-pool, or a model that takes vectors)');
        const c = shape[0];
        const params = c * layer.units + (layer.bias ? layer.units : 0);
        this.add(path, 'dense', [1, 1, c], [1, 1, layer.units], 2 * c * layer.units, params);
        return [layer.units];
      }
      case 'squeeze-excite': {
        const [h, w, c] = image(shape, path, layer.kind);
        this.add(`${path}.reduce`, 'se-reduce', [1, 1, c], [1, 1, layer.reduced], 2 * c * layer.reduced, c * layer.reduced + layer.reduced);
        this.add(`${path}.expand`, 'se-expand', [1, 1, layer.reduced], [1, 1, c], 2 * layer.reduced * c, layer.reduced * c + c);
        return [h, w, c];
      }
      case 'batchnorm': {
        const [h, w, c] = image(shape, path, layer.kind);
        this.params += 2 * c;
        return [h, w, c];
      }
      case 'activation':
      case 'dropout':
        return shape;
      case 'maxpool': {
        const [h, w, c] = image(shape, path, layer.kind);
        return nonEmpty([outputSize(h, layer.size, layer.stride, 'valid'), outputSize(w, layer.size, layer.stride, 'valid'), c], [h, w, c], path, layer.kind);
      }
      case 'global-avg-pool': {
        const [, , c] = image(shape, path, layer.kind);
        return [c];
      }
      case 'residual': {
        const out = this.walk(layer.body, shape, `${path}.body.`);
        if (out.join('x') !== shape.join('x')) throw shapeError(path, layer.kind, out, `the body to keep the shape ${shape.join('x')}`);
        return out;
      }
    }
  }

  private add(path: string, kind: LayerCount['kind'], input: Shape3, output: Shape3, forwardFlops: number, params: number, kernel = 1, stride = 1): void {
    // The first layer with weights reads the images themselves: no input gradient.
    const inputGradient = this.seenWeights;
    this.seenWeights = true;
    this.params += params;
    this.layers.push({ path, kind, input, output, kernel, stride, forwardFlops, inputGradient, params });
  }
}

/** The output of a windowed layer, or an error naming the layer when the input is too small for its window. */
function nonEmpty(out: Shape3, input: Shape3, path: string, kind: string): Shape3 {
  if (out[0] < 1 || out[1] < 1) throw shapeError(path, kind, input, 'an input at least as large as its window (the images are too small for this model)');
  return out;
}

function image(shape: readonly number[], path: string, kind: string): Shape3 {
  if (shape.length !== 3) throw shapeError(path, kind, shape, 'an image-shaped [H, W, C] input');
  const [h, w, c] = shape as [number, number, number];
  return [h, w, c];
}

function shapeError(path: string, kind: string, shape: readonly number[], wanted: string): StrataError {
  return new StrataError('bad-input', `Layer ${path} (${kind}) received shape [${shape.join(', ')}].`, {
    value: shape,
    fix: `it needs ${wanted}; check the model spec and --image-size.`,
  });
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** What a report says of a model measured at `imageSize` with `batchSize` examples a step: its words, parameters and FLOPs. */
export function modelFlops(spec: ModelSpec, imageSize: number, batchSize: number): ModelFlops {
  const count = countFlops(spec, imageSize, batchSize);
  return {
    summary: spec.summary,
    batchSize,
    input: inputName(spec, imageSize),
    loss: lossName(modelInput(spec, batchSize, imageSize)),
    params: count.params,
    forwardFlopsPerImage: count.forwardFlopsPerImage,
    trainFlopsPerStep: count.trainFlopsPerStep,
  };
}
