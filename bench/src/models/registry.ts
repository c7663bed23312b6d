import { join } from 'node:path';
import { StrataError, quote } from '@strata/core';
import { EFFICIENTNET_B0, TINY_CNN, type ModelSpec } from '@strata/vision/models';

/** The architectures the bench knows, by the name `--models` takes; each is defined in @strata/vision. */
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
