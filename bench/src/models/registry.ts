import { join } from 'node:path';
import { StrataError, quote } from '@strata/core';
import { EFFICIENTNET_B0, TINY_CNN, type ModelSpec } from '@strata/vision/models';
import { MLP } from './mlp.js';

/**
 * The architectures the bench knows, by the name `--models` takes: the image networks defined in
 * @strata/vision and the bench's own host-bound MLP.
 */
export const MODELS: Readonly<Record<string, ModelSpec>> = {
  [TINY_CNN.name]: TINY_CNN,
  [EFFICIENTNET_B0.name]: EFFICIENTNET_B0,
  [MLP.name]: MLP,
};

/** Each model's batch when `--batch-size` is not given: 32 images, or 64 vectors for the MLP. */
const DEFAULT_BATCH_SIZES: Readonly<Record<string, number>> = {
  [TINY_CNN.name]: 32,
  [EFFICIENTNET_B0.name]: 32,
  [MLP.name]: 64,
};

/** The batch `model` trains with: `--batch-size` when given (`batchSize`), else the model's own default. */
export function batchSizeOf(model: string, batchSize: number | undefined): number {
  return batchSize ?? DEFAULT_BATCH_SIZES[modelByName(model).name]!;
}

/** The model named `name`, or a `bad-input` error listing the known names. */
export function modelByName(name: string): ModelSpec {
  const spec = MODELS[name];
  if (!spec) {
    throw new StrataError('bad-input', `Unknown model ${quote(name)}.`, {
      value: name,
      fix: `use one of ${Object.keys(MODELS).map((n) => quote(n)).join(', ')}.`,
    });
  }
  return spec;
}

/** Where the Python scripts find the spec of `name`: bench/python/specs/NAME.json (see specJson). */
export function specFile(benchRoot: string, name: string): string {
  return join(benchRoot, 'python', 'specs', `${name}.json`);
}

/**
 * A spec as the Python scripts read it from disk. The peers the bench starts get the spec in
 * their configuration; the standalone scripts (bench/scripts/*.py) read these files, which
 * bench/scripts/write-specs.mjs writes and a test keeps equal to MODELS.
 */
export function specJson(spec: ModelSpec): string {
  return `${JSON.stringify(spec, null, 1)}\n`;
}
