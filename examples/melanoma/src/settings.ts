import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { invalidOption, type Precision } from '@strata/core';
import { MODELS, type ModelName } from './model-names.js';
import { DEBUG_RUN, EXAMPLE_DEFAULTS, PRESETS, type FlagValues } from './presets.js';

/** Where a setting came from: its own flag, `--preset`, `--debug`, or the example's default. */
export type SettingSource = 'flag' | 'preset' | 'debug' | 'default';

/** Everything one run of the example needs, resolved from the command line. */
export interface MelanomaSettings {
  readonly preset: keyof typeof PRESETS | undefined;
  readonly debug: boolean;
  readonly strategy: string | undefined;
  /** Devices (GPUs, TPU cores) to train on, data parallel; -1 for all. */
  readonly devices: number | undefined;
  /** The flag that gave `devices`, for messages: the seed's `--tpu-cores` or `--devices`. */
  readonly devicesFlag: '--devices' | '--tpu-cores';
  /** The XLA server(s) of the 'tpu' strategy (`--tpu-address`; several, comma-separated, are one mesh); undefined: STRATA_TPU_ADDRESS. */
  readonly tpuAddress: string | undefined;
  readonly dataDir: string | undefined;
  readonly imageSize: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  readonly accumulateGradBatches: number;
  /** Samples per optimizer step whatever the device count (`--global-batch-size`): the Trainer re-batches and accumulates; undefined: batch-size x accumulate-grad-batches. */
  readonly globalBatchSize: number | undefined;
  /** With `globalBatchSize`: the most samples one device holds in one micro-batch. */
  readonly deviceBatchSize: number | undefined;
  readonly precision: Precision;
  readonly precisionSource: SettingSource;
  readonly model: ModelName;
  /** A file of ImageNet weights for `model` (PyTorch `.pth` or safetensors). */
  readonly pretrained: string | undefined;
  readonly out: string | undefined;
  readonly lr: number;
  /** 'cosine': decay per epoch to 5% of the rate; 'constant': Adam at `lr` throughout, as the seed. */
  readonly lrSchedule: 'cosine' | 'constant';
  /** 'full': the example's augmentations; 'crop': the seed's RandomCrop (training) and CenterCrop (validation). */
  readonly augment: 'full' | 'crop';
  /** With `augment: 'crop'`, the side images are resized to before the crop. */
  readonly cropFrom: number;
  readonly fold: number;
  readonly numWorkers: number;
  /** What an image that fails to load does: 'error' stops the run; 'skip' leaves it out, warns, and counts it. */
  readonly onBadSample: 'error' | 'skip';
  readonly syntheticCount: number;
  readonly positiveRate: number;
  readonly seed: number;
  readonly numSanityValSteps: number;
  /** Training batches per epoch (undefined: all). */
  readonly limitTrainBatches: number | undefined;
  /** Validation batches per validation run (undefined: all). */
  readonly limitValBatches: number | undefined;
  /** Draws training samples with class-balanced weights (melanoma as often as benign). */
  readonly balancedSampler: boolean;
  /** Traces each step once and replays it on strategies that compile steps (off: --no-compile-steps). */
  readonly compileSteps: boolean;
}

const STRING_FLAGS = [
  'preset', 'strategy', 'devices', 'tpu-cores', 'tpu-address', 'data-dir', 'image-size', 'batch-size', 'max-epochs', 'accumulate-grad-batches',
  'precision', 'model', 'pretrained', 'out', 'lr', 'lr-schedule', 'augment', 'crop-from', 'fold', 'num-workers', 'on-bad-sample', 'synthetic-count',
  'positive-rate', 'seed', 'num-sanity-val-steps', 'limit-train-batches', 'limit-val-batches', 'global-batch-size', 'device-batch-size',
] as const;

const PRECISION_SPELLINGS: Readonly<Record<string, Precision>> = { '32': '32', '16': '16-mixed', '16-mixed': '16-mixed', bf16: 'bf16-mixed', 'bf16-mixed': 'bf16-mixed' };

/**
 * Reads the command line: each setting from its own flag when given, else from `--debug`, else
 * from `--preset`, else the example's default. Every value is checked here, before any work.
 */
export function parseSettings(argv: readonly string[]): MelanomaSettings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...Object.fromEntries(STRING_FLAGS.map((name) => [name, { type: 'string' as const }])),
      debug: { type: 'boolean' },
      'balanced-sampler': { type: 'boolean' },
      'no-compile-steps': { type: 'boolean' },
    },
    strict: true,
  });
  const given = values as Partial<Record<(typeof STRING_FLAGS)[number], string>> & { debug?: boolean; 'balanced-sampler'?: boolean; 'no-compile-steps'?: boolean };
  const presetName = given.preset;
  if (presetName !== undefined && !(presetName in PRESETS)) invalidOption('--preset', presetName, Object.keys(PRESETS).map((p) => JSON.stringify(p)).join(', '));
  const preset: FlagValues = presetName === undefined ? {} : PRESETS[presetName as keyof typeof PRESETS];
  const debug = given.debug === true;
  const flags: FlagValues = Object.fromEntries(STRING_FLAGS.map((name) => [name, given[name]]));
  const layers: [SettingSource, FlagValues][] = [['flag', flags], ['debug', debug ? DEBUG_RUN : {}], ['preset', preset], ['default', EXAMPLE_DEFAULTS]];
  const source = (name: string): SettingSource => layers.find(([, v]) => v[name] !== undefined)?.[0] ?? 'default';
  const text = (name: string): string | undefined => layers.map(([, v]) => v[name]).find((v) => v !== undefined);
  const int = (name: string, min: number): number => {
    const raw = text(name);
    const v = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isInteger(v) || v < min) invalidOption(`--${name}`, raw, `an integer >= ${min}`);
    return v;
  };
  const optionalInt = (name: string, min: number): number | undefined => (text(name) === undefined ? undefined : int(name, min));
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const raw = text(name);
    if (!(allowed as readonly (string | undefined)[]).includes(raw)) invalidOption(`--${name}`, raw, `one of ${allowed.join(', ')}`);
    return raw as T;
  };

  const imageSize = int('image-size', 32);
  const precisionText = text('precision')!;
  const precision = PRECISION_SPELLINGS[precisionText];
  if (precision === undefined) invalidOption('--precision', precisionText, 'one of 32, 16, bf16, 16-mixed, bf16-mixed');
  const lr = Number(text('lr'));
  if (!(lr > 0) || !Number.isFinite(lr)) invalidOption('--lr', text('lr'), 'a number > 0, such as 0.0005');
  const positiveRate = Number(text('positive-rate'));
  if (!(positiveRate > 0 && positiveRate < 1)) invalidOption('--positive-rate', text('positive-rate'), 'a fraction between 0 and 1, such as 0.2');
  const model = oneOf('model', MODELS);
  const pretrained = text('pretrained');
  if (pretrained !== undefined && model !== 'efficientnet-b0' && model !== 'efficientnet-lite0') {
    invalidOption('--model', model, '"efficientnet-b0" or "efficientnet-lite0" with --pretrained (the architecture of the weights file)');
  }
  if (pretrained !== undefined && !existsSync(pretrained)) invalidOption('--pretrained', pretrained, 'the path of an existing weights file (.pth or .safetensors)');
  const globalBatchSize = optionalInt('global-batch-size', 1);
  const deviceBatchSize = optionalInt('device-batch-size', 1);
  if (deviceBatchSize !== undefined && globalBatchSize === undefined) invalidOption('--device-batch-size', text('device-batch-size'), 'given with --global-batch-size (the samples of one step)');
  // A global batch sets the accumulation itself: only an explicit --accumulate-grad-batches conflicts (a preset's gives way).
  if (globalBatchSize !== undefined && source('accumulate-grad-batches') === 'flag') {
    invalidOption('--accumulate-grad-batches', text('accumulate-grad-batches'), 'left out with --global-batch-size, which derives the accumulation from the device count (cap it with --device-batch-size)');
  }
  const augment = oneOf('augment', ['full', 'crop'] as const);
  const cropFrom = text('crop-from') === undefined ? imageSize : int('crop-from', imageSize);
  if (text('crop-from') !== undefined && augment !== 'crop') invalidOption('--crop-from', text('crop-from'), 'given with --augment crop (the full augmentations crop at random scales themselves)');

  return {
    preset: presetName as keyof typeof PRESETS | undefined,
    debug,
    strategy: strategyOf(given.strategy, given['tpu-cores']),
    devices: devicesOf(given.devices, given['tpu-cores']),
    devicesFlag: given['tpu-cores'] !== undefined ? '--tpu-cores' : '--devices',
    tpuAddress: given['tpu-address'],
    compileSteps: given['no-compile-steps'] !== true,
    dataDir: text('data-dir'),
    imageSize,
    batchSize: int('batch-size', 1),
    maxEpochs: int('max-epochs', 1),
    accumulateGradBatches: globalBatchSize === undefined ? int('accumulate-grad-batches', 1) : 1,
    globalBatchSize,
    deviceBatchSize,
    precision,
    precisionSource: source('precision'),
    model,
    pretrained,
    out: text('out'),
    lr,
    lrSchedule: oneOf('lr-schedule', ['cosine', 'constant'] as const),
    augment,
    cropFrom,
    fold: int('fold', 0),
    numWorkers: int('num-workers', 0),
    onBadSample: oneOf('on-bad-sample', ['error', 'skip'] as const),
    syntheticCount: int('synthetic-count', 10),
    positiveRate,
    seed: int('seed', 0),
    numSanityValSteps: int('num-sanity-val-steps', 0),
    limitTrainBatches: optionalInt('limit-train-batches', 1),
    limitValBatches: optionalInt('limit-val-batches', 1),
    balancedSampler: given['balanced-sampler'] === true,
  };
}

/** `--tpu-cores` is the seed's spelling for the TPU strategy's devices: it picks 'tpu' when no strategy is named. */
function strategyOf(strategy: string | undefined, tpuCores: string | undefined): string | undefined {
  if (tpuCores === undefined) return strategy;
  if (strategy !== undefined && strategy !== 'tpu') {
    invalidOption('--tpu-cores', tpuCores, `given with --strategy tpu (or no --strategy); for '${strategy}', count devices with --devices`);
  }
  return 'tpu';
}

function devicesOf(devices: string | undefined, tpuCores: string | undefined): number | undefined {
  if (devices !== undefined && tpuCores !== undefined && devices !== tpuCores) {
    invalidOption('--devices', devices, `the same as --tpu-cores (${tpuCores}), or left out: the two flags name one count`);
  }
  const name = tpuCores !== undefined ? '--tpu-cores' : '--devices';
  const raw = tpuCores ?? devices;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || !(n >= 1 || n === -1)) invalidOption(name, raw, 'an integer >= 1, or -1 for all the devices of the strategy');
  return n;
}
