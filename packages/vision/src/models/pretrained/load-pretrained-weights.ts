import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { StrataError, invalidOption, quote } from '@strata/core';
import { efficientNetLayout, sourceOf, STEM_KEYS, type KeyConvention, type Layout } from './efficientnet-keys.js';
import { permuted } from './float-values.js';
import { readStateDict } from './read-state-dict.js';
import type { StateDictFormat, StateDictTensor } from './state-dict.js';

/** The architectures whose PyTorch weights `loadPretrainedWeights` maps onto Strata's models. */
export type PretrainedArchitecture = 'efficientnet-b0' | 'efficientnet-lite0';

export interface PretrainedOptions {
  /** The architecture the file holds; the model must be built by the matching builder (`efficientNetB0`, `efficientNetLite0`). */
  readonly architecture: PretrainedArchitecture;
  /** The file's key names: efficientnet_pytorch's (`_blocks.3._bn1.weight`), timm's (`blocks.1.1.bn2.weight`), or 'auto' (default), told by the stem's key. */
  readonly keys?: 'auto' | KeyConvention;
}

/** What `loadPretrainedWeights` did. */
export interface PretrainedReport {
  /** Strata weights written from the file ('stem_conv/kernel', ...), in model order. */
  readonly loaded: string[];
  /** File keys not loaded, with the reason: the classifier head of another number of classes, keys outside the network's prefix. */
  readonly skipped: { readonly key: string; readonly reason: string }[];
  /** Strata weights left at their initial value: the head, where the file's does not fit or is absent. */
  readonly initial: string[];
  readonly format: StateDictFormat;
  readonly keys: KeyConvention;
}

const ARCHITECTURES: readonly PretrainedArchitecture[] = ['efficientnet-b0', 'efficientnet-lite0'];
const HEAD_WEIGHTS = new Set(['predictions/kernel', 'predictions/bias']);

/** PyTorch layout to tfjs layout: OIHW to HWIO, [C, 1, kh, kw] to [kh, kw, C, 1], [out, in] to [in, out]. */
const PERMUTATIONS: Readonly<Record<Layout, readonly number[] | undefined>> = { conv: [2, 3, 1, 0], depthwise: [2, 3, 0, 1], dense: [1, 0], vector: undefined };

/**
 * Loads pretrained PyTorch weights into an EfficientNet built by `efficientNetB0` or
 * `efficientNetLite0`: a state dict saved by `torch.save` (zip or legacy format) or a
 * safetensors file, from a local path or bytes, with the key names of `efficientnet_pytorch`
 * (and its Lite port) or of timm, with or without a prefix such as `module.` or `model.` (a
 * Lightning checkpoint's `state_dict` is found inside it). Each weight is converted to tfjs's
 * layout and written by name; batch norm's running statistics load as the moving mean and
 * variance, its `num_batches_tracked` counters are not weights and are passed over.
 *
 * The classifier head loads when it fits; a head of another number of classes (the 1000 ImageNet
 * classes under a one-logit head) is skipped and the model's own head stays at its initial value,
 * as the report says. Anything else that does not fit is an error naming the file key, the Strata
 * weight and both shapes, and the model is left unchanged: a missing weight, a weight of another
 * shape, or a key the architecture has no place for.
 *
 * timm's `efficientnet_b0` pads symmetrically and uses batch-norm epsilon 1e-5, where Strata's
 * EfficientNet (as efficientnet_pytorch and timm's `tf_efficientnet_b0`) pads as TensorFlow's
 * 'same' with epsilon 1e-3: its weights load, but Strata's network computes other logits than timm's.
 *
 * @example
 * const model = efficientNetB0({ inputSize: 256 }); // one logit
 * const report = await loadPretrainedWeights(model, 'efficientnet-b0-355c32eb.pth', { architecture: 'efficientnet-b0' });
 * report.skipped; // [{ key: '_fc.weight', ... }, { key: '_fc.bias', ... }]: the ImageNet head
 */
export async function loadPretrainedWeights(model: tfl.LayersModel, pathOrBytes: string | Uint8Array, options: PretrainedOptions): Promise<PretrainedReport> {
  const architecture = options?.architecture;
  if (!ARCHITECTURES.includes(architecture)) invalidOption('architecture', architecture, `one of ${ARCHITECTURES.map((a) => `'${a}'`).join(', ')}`);
  const wanted = options.keys ?? 'auto';
  if (!['auto', 'efficientnet_pytorch', 'timm'].includes(wanted)) invalidOption('keys', wanted, "'auto', 'efficientnet_pytorch' or 'timm'");
  checkModel(model, architecture);
  if (typeof pathOrBytes !== 'string' && !(pathOrBytes instanceof Uint8Array)) invalidOption('pathOrBytes', pathOrBytes, 'a file path or a Uint8Array of the file');

  const source = typeof pathOrBytes === 'string' ? quote(pathOrBytes) : 'the weights bytes';
  const { format, tensors } = await readStateDict(pathOrBytes);
  const { convention, prefix } = keyConvention(tensors, wanted, source);
  const layout = efficientNetLayout(model.layers.map((l) => l.name));

  const report: PretrainedReport = { loaded: [], skipped: [], initial: [], format, keys: convention };
  const plan: { weight: tfl.LayerVariable; entry: StateDictTensor; layout: Layout }[] = [];
  const used = new Set<string>();
  for (const weight of model.weights) {
    const name = weight.originalName;
    const found = sourceOf(name, layout, convention);
    const head = HEAD_WEIGHTS.has(name);
    if (found === undefined) {
      report.initial.push(name);
      continue;
    }
    const key = prefix + found.key;
    const entry = tensors.get(key);
    used.add(key);
    if (entry === undefined) {
      if (head) {
        report.initial.push(name);
        continue;
      }
      throw new StrataError('bad-input', `${source} has no ${quote(key)} for Strata's weight ${quote(name)} of ${architecture}.`, {
        value: key,
        fix: `pass weights saved from ${architecture} itself (full width and depth)${wanted === 'auto' ? '' : `, or keys: 'auto'`}.`,
      });
    }
    const converted = tfjsShape(entry.shape, found.layout);
    const fits = converted !== undefined && tf.util.arraysEqual(converted, weight.shape as number[]);
    if (!fits && head) {
      report.skipped.push({ key, reason: `shape [${entry.shape}] does not fit ${name} [${weight.shape}] (a head of another number of classes)` });
      report.initial.push(name);
      continue;
    }
    if (!fits) {
      throw new StrataError('bad-input', `${quote(key)} in ${source} has shape [${entry.shape}]${converted ? ` ([${converted}] in tfjs's layout)` : ''}, but Strata's ${quote(name)} is [${weight.shape}].`, {
        value: entry.shape,
        fix: `build the model the file was saved from: ${architecture} with widthMultiplier 1 and depthMultiplier 1 (only the head may differ).`,
      });
    }
    if (entry.values === undefined) {
      throw new StrataError('bad-input', `${quote(key)} in ${source} is ${entry.dtype}; Strata's ${quote(name)} needs floating-point values.`, { value: entry.dtype, fix: 'save the weights as float32 (model.float().state_dict()).' });
    }
    plan.push({ weight, entry, layout: found.layout });
  }

  for (const key of tensors.keys()) {
    if (used.has(key) || key.endsWith('num_batches_tracked')) continue;
    if (!key.startsWith(prefix)) {
      report.skipped.push({ key, reason: `outside the network's keys (${quote(prefix)}...)` });
      continue;
    }
    throw new StrataError('bad-input', `${quote(key)} in ${source} has no counterpart in Strata's ${architecture}: the file holds another architecture.`, {
      value: key,
      fix: `pass the architecture the file was saved from (${ARCHITECTURES.join(' or ')}) and build the model with its builder.`,
    });
  }
  for (const { weight, entry, layout: kind } of plan) {
    const perm = PERMUTATIONS[kind];
    const values = perm ? permuted(entry.values!, entry.shape, perm) : entry.values!;
    tf.tidy(() => {
      weight.write(tf.tensor(values, weight.shape as number[], 'float32'));
    });
    report.loaded.push(weight.originalName);
  }
  return report;
}

/** The shape a PyTorch tensor takes in tfjs's layout, or undefined where its rank does not fit the layout. */
function tfjsShape(shape: readonly number[], layout: Layout): number[] | undefined {
  const perm = PERMUTATIONS[layout];
  const rank = perm?.length ?? 1;
  if (shape.length !== rank) return undefined;
  return perm ? perm.map((axis) => shape[axis]!) : [...shape];
}

/** The file's key convention and the prefix of the network's keys, found from the stem convolution's key. */
function keyConvention(tensors: ReadonlyMap<string, StateDictTensor>, wanted: 'auto' | KeyConvention, source: string): { convention: KeyConvention; prefix: string } {
  const conventions: KeyConvention[] = wanted === 'auto' ? ['efficientnet_pytorch', 'timm'] : [wanted];
  for (const key of tensors.keys()) {
    for (const convention of conventions) {
      const stem = STEM_KEYS[convention];
      if (!key.endsWith(stem)) continue;
      const prefix = key.slice(0, key.length - stem.length);
      if (prefix === '' || prefix.endsWith('.')) return { convention, prefix };
    }
  }
  const expected = conventions.map((c) => quote(STEM_KEYS[c])).join(' or ');
  throw new StrataError('bad-input', `${source} has no stem convolution key (${expected}) among its ${tensors.size} keys (e.g. ${quote([...tensors.keys()].slice(0, 3))}).`, {
    value: [...tensors.keys()].slice(0, 3),
    fix: `pass an EfficientNet state dict with efficientnet_pytorch's or timm's key names${wanted === 'auto' ? '' : `, or keys: 'auto'`}.`,
  });
}

/** The model must be an EfficientNet of Strata's builders, of the architecture named. */
function checkModel(model: tfl.LayersModel, architecture: PretrainedArchitecture): void {
  const names = new Set(model.layers.map((l) => l.name));
  const builder = architecture === 'efficientnet-b0' ? 'efficientNetB0' : 'efficientNetLite0';
  if (!names.has('stem_conv') || !names.has('predictions')) {
    throw new StrataError('bad-input', `Model ${quote(model.name)} is not an EfficientNet of Strata (it has no layers "stem_conv" and "predictions").`, { value: model.name, fix: `build it with ${builder}(...).` });
  }
  const hasSqueezeExcite = [...names].some((n) => n.endsWith('_se_reduce'));
  const activation = (model.getLayer('stem_activation').getConfig() as { activation?: string }).activation;
  const isB0 = hasSqueezeExcite && activation === 'swish';
  const isLite0 = !hasSqueezeExcite && activation === 'relu6';
  if ((architecture === 'efficientnet-b0' && !isB0) || (architecture === 'efficientnet-lite0' && !isLite0)) {
    const built = isB0 ? 'efficientnet-b0' : isLite0 ? 'efficientnet-lite0' : 'another network';
    throw new StrataError('bad-input', `Model ${quote(model.name)} is ${built}, but the weights are for ${architecture}.`, { value: architecture, fix: `build the model with ${builder}(...), or pass the architecture the file holds.` });
  }
}
