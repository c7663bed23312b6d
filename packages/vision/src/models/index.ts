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
export { efficientNetLite0, efficientNetLite0Spec, EFFICIENTNET_LITE0 } from './efficientnet-lite0.js';
export { loadPretrainedWeights, type PretrainedArchitecture, type PretrainedOptions, type PretrainedReport } from './pretrained/load-pretrained-weights.js';
export { readStateDict } from './pretrained/read-state-dict.js';
export type { StateDict, StateDictFormat, StateDictTensor, TensorDtype } from './pretrained/state-dict.js';
export type { KeyConvention } from './pretrained/efficientnet-keys.js';
export { layersModelFromSpec, samePads, type LayersModelOptions } from './layers-model.js';
export { StrataDropout, registerStrataDropout, strataDropout, type StrataDropoutArgs } from './dropout-layer.js';
export { buildTfjsModel, type TfjsBatchNorm, type TfjsModel, type TfjsModelOptions } from './tfjs-model.js';
export { batchNormalization, BatchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
export { swish, Swish } from './swish.js';
export { loadWeights, saveWeights, WEIGHTS_MANIFEST } from './model-weights.js';
export { roundFilters, roundRepeats, B0_BLOCKS, type BlockArgs } from './efficientnet-scaling.js';
