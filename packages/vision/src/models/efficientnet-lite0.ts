import type * as tfl from '@tensorflow/tfjs-layers';
import type { EfficientNetOptions, EfficientNetSpecOptions } from './efficientnet-b0.js';
import { efficientNetInputSize, efficientNetLayers, efficientNetScaling, headAndRegularisation } from './efficientnet-blocks.js';
import { layersModelFromSpec } from './layers-model.js';
import type { ModelSpec } from './model-spec.js';

/**
 * EfficientNet-Lite0 (TensorFlow's EfficientNet-Lite, the edge variant of B0) as a spec: B0's
 * stages, kernels and widths without squeeze-and-excitation, with ReLU6 instead of swish, and a
 * stem (32 channels) and head (1280) that width scaling leaves as they are. Batch norm (epsilon
 * 1e-3, momentum 0.99), TensorFlow's 'same' padding, dropout 0.2 and drop-connect 0.2 are B0's.
 * Layer names are B0's Keras names, so `loadPretrainedWeights` maps the reference's weights onto
 * both in one way.
 *
 * @example
 * const spec = efficientNetLite0Spec({ outputs: 1000 }); // the ImageNet classifier
 */
export function efficientNetLite0Spec(options: EfficientNetSpecOptions = {}): ModelSpec {
  const scaling = efficientNetScaling(options);
  const { layers, blocks } = efficientNetLayers({ activation: 'relu6', squeezeExcite: false, fixedStemHead: true }, scaling);
  const scaled = scaling.width !== 1 || scaling.depth !== 1 ? `, width x${scaling.width}, depth x${scaling.depth}` : '';
  return {
    name: options.name ?? 'efficientnet-lite0',
    summary: `EfficientNet-Lite0 (${blocks} MBConv blocks without SE, ReLU6, batch norm, fixed stem and head${scaled}), ${headAndRegularisation(scaling)}`,
    inputChannels: 3,
    layers,
  };
}

/** EfficientNet-Lite0 with one logit and no dropout or drop-connect, as `EFFICIENTNET_B0` is to B0. */
export const EFFICIENTNET_LITE0: ModelSpec = efficientNetLite0Spec({ dropoutRate: 0, dropConnectRate: 0 });

/**
 * EfficientNet-Lite0 (`efficientNetLite0Spec`) as a tfjs-layers model, built as `efficientNetB0`
 * is (the same options, Keras' layer names, the reference's seeded initializers, batch-norm
 * momentum 0.99). It takes inputs already normalised (see `Normalize`).
 *
 * @example
 * const model = efficientNetLite0({ inputSize: 224, outputs: 1000 });
 * const report = await loadPretrainedWeights(model, 'efficientnet-lite0-57934424.pth', { architecture: 'efficientnet-lite0' });
 */
export function efficientNetLite0(options: EfficientNetOptions = {}): tfl.LayersModel {
  const inputSize = efficientNetInputSize(options.inputSize);
  return layersModelFromSpec(efficientNetLite0Spec(options), { inputSize, initializers: 'efficientnet', seed: options.seed ?? 0, batchNormMomentum: 0.99 });
}
