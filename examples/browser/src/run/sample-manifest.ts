import { StrataError } from '@strata/core';

/** One image of the sample: its file (relative to the manifest) and its label (1: melanoma). */
export interface SampleImage {
  readonly file: string;
  readonly target: 0 | 1;
}

/** `labels.json`: the sample's image size and its two splits, in a fixed order. */
export interface SampleManifest {
  readonly imageSize: number;
  readonly train: readonly SampleImage[];
  readonly val: readonly SampleImage[];
}

/** The manifest's file name next to the images. */
export const MANIFEST_FILE = 'labels.json';

/** Checks that `value` (parsed from `source`) is a sample manifest; throws naming what is wrong. */
export function parseSampleManifest(value: unknown, source: string): SampleManifest {
  const fail = (what: string): never => {
    throw new StrataError('invalid-option', `${source} is not a sample manifest: ${what}.`, {
      value: source,
      fix: 'serve the labels.json that the example build writes next to the images (npm run browser makes it).',
    });
  };
  if (typeof value !== 'object' || value === null) return fail('it is not a JSON object');
  const { imageSize, train, val } = value as Record<string, unknown>;
  if (!Number.isInteger(imageSize) || (imageSize as number) < 8) fail(`imageSize is ${JSON.stringify(imageSize)}, not an integer >= 8`);
  const split = (name: string, rows: unknown): SampleImage[] => {
    if (!Array.isArray(rows) || rows.length === 0) return fail(`"${name}" is not a non-empty list`);
    return rows.map((row, i) => {
      const { file, target } = (row ?? {}) as Record<string, unknown>;
      if (typeof file !== 'string' || file.length === 0) fail(`${name}[${i}].file is ${JSON.stringify(file)}, not a file name`);
      if (target !== 0 && target !== 1) fail(`${name}[${i}].target is ${JSON.stringify(target)}, not 0 or 1`);
      return { file: file as string, target: target as 0 | 1 };
    });
  };
  return { imageSize: imageSize as number, train: split('train', train), val: split('val', val) };
}
