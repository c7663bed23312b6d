import { StrataError, quote } from '@strata/core';
import { EFFICIENTNET_B0 } from './efficientnet-b0.js';
import type { ModelSpec } from './layers.js';
import { TINY_CNN } from './tiny-cnn.js';

/** The architectures the bench knows, by the name `--models` takes. */
export const MODELS: Readonly<Record<string, ModelSpec>> = {
  [TINY_CNN.name]: TINY_CNN,
  [EFFICIENTNET_B0.name]: EFFICIENTNET_B0,
};

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
