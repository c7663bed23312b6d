/** The models `--model` accepts. */
export const MODELS = ['small-cnn', 'wide-cnn', 'tiny-cnn', 'efficientnet-b0', 'efficientnet-b0-half', 'efficientnet-lite0'] as const;
export type ModelName = (typeof MODELS)[number];

/** The models `--pretrained` weights exist for: the file's architecture. */
export const PRETRAINED_MODELS = ['efficientnet-b0', 'efficientnet-lite0'] as const;
export type PretrainedModelName = (typeof PRETRAINED_MODELS)[number];

/** Whether `--pretrained` weights can be loaded into `name`. */
export function hasPretrainedWeights(name: string): name is PretrainedModelName {
  return (PRETRAINED_MODELS as readonly string[]).includes(name);
}
