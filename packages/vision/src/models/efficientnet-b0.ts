import type * as tfl from '@tensorflow/tfjs-layers';
import { invalidOption } from '@strata/core';
import { B0_BLOCKS, roundFilters, roundRepeats } from './efficientnet-scaling.js';
import { layersModelFromSpec } from './layers-model.js';
import type { Layer, ModelSpec } from './model-spec.js';

export interface EfficientNetSpecOptions {
  /** Channel multiplier (B0: 1.0). Below 1 gives a narrower network for quick runs. */
  readonly widthMultiplier?: number;
  /** Repeat multiplier (B0: 1.0). */
  readonly depthMultiplier?: number;
  /** Dropout before the head (B0: 0.2). */
  readonly dropoutRate?: number;
  /** Drop-connect rate of the last block; block i of n uses rate * i / n (B0: 0.2). */
  readonly dropConnectRate?: number;
  /** Outputs of the head: 1 gives one logit for binary classification. Default 1. */
  readonly outputs?: number;
  /** Model name. Default 'efficientnet-b0'. */
  readonly name?: string;
}

export interface EfficientNetOptions extends EfficientNetSpecOptions {
  /** Input height and width in pixels (one number for a square), any size >= 32. Default 224. */
  readonly inputSize?: number | readonly [number, number];
  /** Seed of the weight initializers. Default 0. */
  readonly seed?: number;
}

/**
 * EfficientNet-B0 (Tan & Le, 2019) as a spec: a 3x3 stride-2 stem, 16 MBConv blocks in seven
 * stages (`B0_BLOCKS`: 1x1 expansion, depthwise convolution, squeeze-and-excitation on the
 * block's input width / 4, 1x1 projection, and a residual add with drop-connect where the block
 * keeps the shape), a 1x1 top convolution to 1280 channels, global average pooling, dropout and
 * a dense head with no activation (logits); batch norm and swish after every convolution but the
 * projection. Layer names are the Keras reference's. This is the network's one definition: the
 * tfjs-layers model (`efficientNetB0`), the bench's tfjs-core model, its FLOP count and the
 * Python peers are all built from it.
 *
 * @example
 * const spec = efficientNetB0Spec({ dropoutRate: 0, dropConnectRate: 0 }); // the bench's EFFICIENTNET_B0
 */
export function efficientNetB0Spec(options: EfficientNetSpecOptions = {}): ModelSpec {
  const width = positive('widthMultiplier', options.widthMultiplier, 1);
  const depth = positive('depthMultiplier', options.depthMultiplier, 1);
  const dropoutRate = rate('dropoutRate', options.dropoutRate, 0.2);
  const dropConnectRate = rate('dropConnectRate', options.dropConnectRate, 0.2);
  const outputs = options.outputs ?? 1;
  if (!Number.isInteger(outputs) || outputs < 1) invalidOption('outputs', outputs, 'an integer >= 1');

  const layers: Layer[] = [
    { kind: 'conv2d', name: 'stem_conv', filters: roundFilters(32, width), kernel: 3, stride: 2, padding: 'same', bias: false },
    { kind: 'batchnorm', name: 'stem_bn' },
    { kind: 'activation', fn: 'swish', name: 'stem_activation' },
  ];
  const totalBlocks = B0_BLOCKS.reduce((n, stage) => n + roundRepeats(stage.repeats, depth), 0);
  let blockIndex = 0;
  B0_BLOCKS.forEach((stage, i) => {
    const repeats = roundRepeats(stage.repeats, depth);
    for (let j = 0; j < repeats; j++) {
      const p = `block${i + 1}${String.fromCharCode(97 + j)}`;
      const filtersIn = roundFilters(j === 0 ? stage.filtersIn : stage.filtersOut, width);
      const filtersOut = roundFilters(stage.filtersOut, width);
      const stride = j === 0 ? stage.stride : 1;
      const body: Layer[] = [];
      if (stage.expandRatio !== 1) {
        body.push(
          { kind: 'conv2d', name: `${p}_expand_conv`, filters: filtersIn * stage.expandRatio, kernel: 1, stride: 1, padding: 'same', bias: false },
          { kind: 'batchnorm', name: `${p}_expand_bn` },
          { kind: 'activation', fn: 'swish', name: `${p}_expand_activation` },
        );
      }
      body.push(
        { kind: 'depthwise2d', name: `${p}_dwconv`, kernel: stage.kernelSize, stride, padding: 'same' },
        { kind: 'batchnorm', name: `${p}_bn` },
        { kind: 'activation', fn: 'swish', name: `${p}_activation` },
      );
      // The squeeze width follows the block's input channels, not the expanded ones (as the paper).
      if (stage.seRatio > 0 && stage.seRatio <= 1) body.push({ kind: 'squeeze-excite', name: `${p}_se`, reduced: Math.max(1, Math.floor(filtersIn * stage.seRatio)) });
      body.push({ kind: 'conv2d', name: `${p}_project_conv`, filters: filtersOut, kernel: 1, stride: 1, padding: 'same', bias: false }, { kind: 'batchnorm', name: `${p}_project_bn` });
      const dropRate = (dropConnectRate * blockIndex) / totalBlocks;
      if (stride === 1 && filtersIn === filtersOut) {
        if (dropRate > 0) body.push({ kind: 'dropout', name: `${p}_drop`, rate: dropRate, perSample: true });
        layers.push({ kind: 'residual', name: p, body });
      } else {
        layers.push(...body);
      }
      blockIndex++;
    }
  });
  layers.push(
    { kind: 'conv2d', name: 'top_conv', filters: roundFilters(1280, width), kernel: 1, stride: 1, padding: 'same', bias: false },
    { kind: 'batchnorm', name: 'top_bn' },
    { kind: 'activation', fn: 'swish', name: 'top_activation' },
    { kind: 'global-avg-pool', name: 'avg_pool' },
  );
  if (dropoutRate > 0) layers.push({ kind: 'dropout', name: 'top_dropout', rate: dropoutRate });
  layers.push({ kind: 'dense', name: 'predictions', units: outputs, bias: true });

  const scaled = width !== 1 || depth !== 1 ? `, width x${width}, depth x${depth}` : '';
  const regularised = dropoutRate === 0 && dropConnectRate === 0 ? 'no dropout or drop-connect' : `dropout ${dropoutRate}, drop-connect ${dropConnectRate}`;
  return {
    name: options.name ?? 'efficientnet-b0',
    summary: `EfficientNet-B0 (${totalBlocks} MBConv blocks with SE, swish, batch norm${scaled}), ${outputs === 1 ? 'one logit' : `${outputs} logits`}; ${regularised}`,
    inputChannels: 3,
    layers,
  };
}

/**
 * The benchmark's EfficientNet-B0 (the bench's `--models efficientnet-b0`): one logit, batch norm
 * in training mode, without dropout and drop-connect, so that every framework runs the same
 * deterministic step (both are elementwise and cheap).
 */
export const EFFICIENTNET_B0: ModelSpec = efficientNetB0Spec({ dropoutRate: 0, dropConnectRate: 0 });

/**
 * EfficientNet-B0 (`efficientNetB0Spec`) as a tfjs-layers model: Keras' layer names and padding,
 * so weights exported from the reference load with `loadWeights`, and the reference's seeded
 * initializers; batch norm keeps running averages with momentum 0.99. It takes inputs already
 * normalised (see `Normalize`).
 *
 * @example
 * const model = efficientNetB0({ inputSize: 128 });                     // one logit
 * const logits = model.apply(images, { training: true }) as tf.Tensor;  // [batch, 1]
 * const small = efficientNetB0({ inputSize: 64, widthMultiplier: 0.5 }); // for quick runs
 */
export function efficientNetB0(options: EfficientNetOptions = {}): tfl.LayersModel {
  const size = options.inputSize ?? 224;
  const [height, width] = typeof size === 'number' ? [size, size] : size;
  if (![height, width].every((s) => Number.isInteger(s) && s >= 32)) invalidOption('inputSize', size, 'an integer >= 32 or a pair of them');
  return layersModelFromSpec(efficientNetB0Spec(options), { inputSize: [height, width], initializers: 'efficientnet', seed: options.seed ?? 0, batchNormMomentum: 0.99 });
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) invalidOption(name, value, 'a positive number');
  return value;
}

function rate(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) invalidOption(name, value, 'a number in [0, 1)');
  return value;
}
