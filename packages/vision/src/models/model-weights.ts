import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { StrataError, quote } from '@strata/core';
import { joinWeightPath, readWeightBytes, writeWeightFiles } from './weight-files.js';

/** The file `saveWeights` writes and `loadWeights` reads: tfjs's weights-manifest format. */
export const WEIGHTS_MANIFEST = 'model.json';

interface Manifest {
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Writes a model's weights (trainable and batch-norm statistics) to `dir` as `model.json` (a
 * tfjs weights manifest) and `weights.bin`, keyed by layer and weight name ('stem_conv/kernel').
 *
 * @example
 * await saveWeights(model, 'runs/melanoma/weights');
 */
export async function saveWeights(model: tfl.LayersModel, dir: string): Promise<void> {
  const named: tf.NamedTensorMap = {};
  for (const weight of model.weights) named[weight.originalName] = weight.read();
  const { data, specs } = await tf.io.encodeWeights(named);
  const manifest: Manifest = { weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  await writeWeightFiles(dir, {
    'weights.bin': new Uint8Array(data),
    [WEIGHTS_MANIFEST]: JSON.stringify({ format: 'strata-weights', ...manifest }, null, 1),
  });
}

/**
 * Loads weights from local disk into `model`: `dir/model.json` (a tfjs weights manifest, as
 * `saveWeights` or tfjs's converter writes) and the binary files it names. Nothing is
 * downloaded, except in a browser build, where `dir` is the URL of the folder (fetched). Every weight of the model must be present with the same shape.
 *
 * @example
 * const model = efficientNetB0({ inputSize: 256 });
 * await loadWeights(model, '/data/weights/efficientnet-b0-melanoma');
 */
export async function loadWeights(model: tfl.LayersModel, dir: string): Promise<void> {
  const manifestPath = joinWeightPath(dir, WEIGHTS_MANIFEST);
  const manifest = await readManifest(manifestPath);
  const values: tf.NamedTensorMap = {};
  try {
    for (const group of manifest.weightsManifest) {
      const buffers = await Promise.all(group.paths.map((p) => readBinary(joinWeightPath(dir, p))));
      const joined = concat(buffers);
      Object.assign(values, tf.io.decodeWeights(joined, group.weights));
    }
    const targets = new Map(model.weights.map((w) => [w.originalName, w]));
    const missing = [...targets.keys()].filter((name) => !(name in values));
    if (missing.length > 0) {
      throw new StrataError('bad-input', `Weights in ${quote(manifestPath)} lack ${missing.length} weight(s) of model ${quote(model.name)}, e.g. ${quote(missing[0])}.`, {
        value: missing.slice(0, 5),
        fix: 'load weights saved from the same architecture and options (input size, width multiplier).',
      });
    }
    for (const [name, weight] of targets) {
      const value = values[name];
      if (!tf.util.arraysEqual(value.shape, weight.shape as number[])) {
        throw new StrataError('bad-input', `Weight ${quote(name)} in ${quote(manifestPath)} has shape [${value.shape}], the model expects [${weight.shape}].`, {
          value: value.shape,
          fix: 'build the model with the options the weights were saved with (width multiplier, outputs).',
        });
      }
    }
    for (const [name, weight] of targets) weight.write(values[name]);
  } finally {
    tf.dispose(Object.values(values));
  }
}

async function readManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = new TextDecoder().decode(await readWeightBytes(path));
  } catch (cause) {
    throw new StrataError('bad-input', `Cannot read the weights manifest ${quote(path)}.`, {
      value: path,
      cause,
      fix: 'pass the directory that holds model.json and its .bin files (written by saveWeights or the tfjs converter).',
    });
  }
  const parsed = JSON.parse(text) as Partial<Manifest>;
  if (!Array.isArray(parsed.weightsManifest)) {
    throw new StrataError('bad-input', `${quote(path)} has no "weightsManifest" array.`, { value: path, fix: 'point at a tfjs weights manifest.' });
  }
  return parsed as Manifest;
}

async function readBinary(path: string): Promise<Uint8Array> {
  try {
    return await readWeightBytes(path);
  } catch (cause) {
    throw new StrataError('bad-input', `Cannot read weight file ${quote(path)}, named in the manifest.`, { value: path, cause, fix: 'copy the .bin files next to model.json.' });
  }
}

function concat(parts: readonly Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out.buffer;
}
