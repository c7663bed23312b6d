// The example's settings as flag values: its defaults, the seed article's recipe
// (`--preset seed`) and the seed's debug run (`--debug`). A flag given explicitly wins over all
// three; `--debug` wins over the preset.

/** Flag values by flag name (without the dashes), as the command line spells them. */
export type FlagValues = Readonly<Record<string, string | undefined>>;

/**
 * The defaults: sized for a CPU with two cores (a small convnet at 64 px learns the embedded
 * data in a few minutes); see the README's "Defaults, and why".
 */
export const EXAMPLE_DEFAULTS: FlagValues = {
  'image-size': '64',
  'batch-size': '32',
  'max-epochs': '16',
  'accumulate-grad-batches': '1',
  precision: '32',
  model: 'small-cnn',
  lr: '0.003',
  'lr-schedule': 'cosine',
  augment: 'full',
  fold: '0',
  'num-workers': '2',
  'on-bad-sample': 'error',
  'synthetic-count': '2000',
  'positive-rate': '0.2',
  seed: '42',
  // Lightning's default.
  'num-sanity-val-steps': '2',
};

/**
 * The seed's recipe: EfficientNet-B0 with a one-logit head at 256x256, RandomCrop for training
 * and CenterCrop for validation, batch 64 and 4 loader workers, Adam at 5e-4 with no schedule,
 * 2 epochs, gradients accumulated over 2 batches, 16-bit precision where the strategy has it,
 * and no sanity validation (the seed runs one batch only when debugging).
 */
export const SEED_PRESET: FlagValues = {
  model: 'efficientnet-b0',
  'image-size': '256',
  augment: 'crop',
  'batch-size': '64',
  'num-workers': '4',
  lr: '0.0005',
  'lr-schedule': 'constant',
  'max-epochs': '2',
  'accumulate-grad-batches': '2',
  precision: '16',
  'num-sanity-val-steps': '0',
};

export const PRESETS = { seed: SEED_PRESET } as const;

/**
 * `--debug`, the seed's debug switch (`num_sanity_val_steps=1 if debug else 0`) and a short run
 * that checks the whole pipeline: one sanity validation batch, then 4 training and 2 validation
 * batches of 8 images per epoch. The small batches keep it to minutes on a CPU, where the seed's
 * batch of 64 EfficientNet-B0 images at 256 px in 32-bit can outgrow the host's memory (the
 * README gives the numbers); give `--batch-size` to debug with another.
 */
export const DEBUG_RUN: FlagValues = {
  'num-sanity-val-steps': '1',
  'limit-train-batches': '4',
  'limit-val-batches': '2',
  'batch-size': '8',
};
