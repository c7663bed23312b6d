// The models of @strata/vision without its image code (and so without sharp): what
// `@strata/vision/models` exports, for the bench and tests that need only the networks.
export type {
  ActivationFn,
  ActivationLayer,
  BatchNormLayer,
  Conv2dLayer,
  DenseLayer,
  DepthwiseConv2dLayer,
  DropoutLayer,
  GlobalAvgPoolLayer,
  Layer,
  MaxPoolLayer,
  ModelSpec,
  Padding,
  ResidualLayer,
  SqueezeExciteLayer,
} from './model-spec.js';
export { tinyCnn, tinyCnnSpec, TINY_CNN, type TinyCnnOptions, type TinyCnnSpecOptions } from './tiny-cnn.js';
export { efficientNetB0, efficientNetB0Spec, EFFICIENTNET_B0, type EfficientNetOptions, type EfficientNetSpecOptions } from './efficientnet-b0.js';
export { layersModelFromSpec, samePads, type LayersModelOptions } from './layers-model.js';
export { buildTfjsModel, type TfjsBatchNorm, type TfjsModel, type TfjsModelOptions } from './tfjs-model.js';
export { batchNormalization, BatchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
export { swish, Swish } from './swish.js';
export { loadWeights, saveWeights, WEIGHTS_MANIFEST } from './model-weights.js';
export { roundFilters, roundRepeats, B0_BLOCKS, type BlockArgs } from './efficientnet-scaling.js';
