import type * as tfl from '@tensorflow/tfjs-layers';
import { efficientNetInputSize, efficientNetLayers, efficientNetScaling, headAndRegularisation } from './efficientnet-blocks.js';
import { layersModelFromSpec } from './layers-model.js';
import type { ModelSpec } from './model-spec.js';

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
  const scaling = efficientNetScaling(options);
  const { layers, blocks } = efficientNetLayers({ activation: 'swish', squeezeExcite: true, fixedStemHead: false }, scaling);
  const scaled = scaling.width !== 1 || scaling.depth !== 1 ? `, width x${scaling.width}, depth x${scaling.depth}` : '';
  return {
    name: options.name ?? 'efficientnet-b0',
    summary: `EfficientNet-B0 (${blocks} MBConv blocks with SE, swish, batch norm${scaled}), ${headAndRegularisation(scaling)}`,
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
 * so weights exported from the reference load with `loadWeights` (PyTorch's, from
 * efficientnet_pytorch or timm, with `loadPretrainedWeights`), and the reference's seeded
 * initializers; batch norm keeps running averages with momentum 0.99. It takes inputs already
 * normalised (see `Normalize`).
 *
 * @example
 * const model = efficientNetB0({ inputSize: 128 });                     // one logit
 * const logits = model.apply(images, { training: true }) as tf.Tensor;  // [batch, 1]
 * const small = efficientNetB0({ inputSize: 64, widthMultiplier: 0.5 }); // for quick runs
 */
export function efficientNetB0(options: EfficientNetOptions = {}): tfl.LayersModel {
  const inputSize = efficientNetInputSize(options.inputSize);
  return layersModelFromSpec(efficientNetB0Spec(options), { inputSize, initializers: 'efficientnet', seed: options.seed ?? 0, batchNormMomentum: 0.99 });
}
