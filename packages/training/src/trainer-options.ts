import { PRECISIONS, StrataError, invalidOption, quote, type DistributionStrategy, type Precision } from '@strata/core';
import type { Callback } from './callback.js';
import { resolveFastestOptions, type FastestOptions } from './connectors/fastest/fastest-options.js';
import type { Logger } from './loggers/logger.js';
import type { ResolvedLimit, TrainerSettings } from './trainer-settings.js';

export type { ResolvedLimit, TrainerSettings } from './trainer-settings.js';

/** A batch count: an integer count, or a fraction of the loader's batches. */
export type BatchLimit = number | `${number}%`;

/** Precisions as Lightning spells them, with its short aliases. */
export type PrecisionInput = Precision | 32 | 16 | '16' | 'bf16';

export interface TrainerOptions {
  /**
   * A strategy instance, a registered name ('cpu', 'wasm', 'webgpu', 'cuda', 'tpu'), 'auto', or
   * 'fastest' (the first fit times the module's training step on each available strategy, trains
   * on the fastest, and caches the pick for this machine and model; `validate`, `test` and
   * `predict` before any fit run on the 'auto' pick). Default: `STRATA_STRATEGY`, then 'auto'.
   * An unknown name fails at construction.
   */
  readonly strategy?: DistributionStrategy | string;
  /** For `strategy: 'fastest'`: the time budget per strategy (`budgetMs`, default 3000), `remeasure`, `cacheDir`. */
  readonly fastest?: FastestOptions;
  /** Devices to train on when the strategy is given by name (GPUs, TPU cores; -1 for all, like Lightning's `devices`). Default 1. */
  readonly devices?: number;
  /** Epochs to train, or Infinity (default 1000 as Lightning, or unlimited when `maxSteps` is set). */
  readonly maxEpochs?: number;
  /** Epochs to train at least: a callback's stop request is ignored before (default 0). */
  readonly minEpochs?: number;
  /** Optimizer steps after which training stops (default -1: no limit). */
  readonly maxSteps?: number;
  /** Validation batches run before training to catch bugs early (default 2; 0 to skip). */
  readonly numSanityValSteps?: number;
  /**
   * Training batches per epoch: an integer count (1 is one batch, as Lightning's int), a
   * fraction in (0, 1), or a percentage string such as '25%'. Default: all.
   */
  readonly limitTrainBatches?: BatchLimit;
  /** Validation batches per validation run (as `limitTrainBatches`). */
  readonly limitValBatches?: BatchLimit;
  /** Test batches (as `limitTrainBatches`). */
  readonly limitTestBatches?: BatchLimit;
  /** Prediction batches (as `limitTrainBatches`). */
  readonly limitPredictBatches?: BatchLimit;
  /** Runs n (true: 1) batches of train, validation, test and predict, with no logger and no checkpoint: a smoke test. */
  readonly fastDevRun?: boolean | number;
  /** Trains (and validates) on the same first n batches every epoch, unshuffled (a fraction: of the train batches). */
  readonly overfitBatches?: number;
  /** Validates every n training batches (an integer), or at that fraction of the epoch (in (0, 1)). Default: at the end of each epoch. */
  readonly valCheckInterval?: number;
  /** Validates every n epochs (default 1). */
  readonly checkValEveryNEpoch?: number;
  /**
   * Samples one optimizer step's math is defined on, whatever the device count. The Trainer
   * re-batches the training `DataLoader` to micro-batches of `globalBatchSize / a` samples,
   * accumulates `a` of them per step (`a` from `deviceBatchSize`, 1 when that is unset), and the
   * strategy splits each over its devices (XLA pads rows that do not divide). A checkpoint records
   * it, so a run resumes on another device count with the same samples per step and schedule.
   * Excludes `accumulateGradBatches`.
   */
  readonly globalBatchSize?: number;
  /**
   * With `globalBatchSize`: the most samples one device holds in one micro-batch (default
   * unlimited). Accumulation is the smallest a >= ceil(globalBatchSize / (devices * deviceBatchSize))
   * that divides `globalBatchSize`.
   */
  readonly deviceBatchSize?: number;
  /** Batches whose gradients are summed before each optimizer step, or a schedule by epoch such as `{ 0: 8, 4: 4 }` (default 1). */
  readonly accumulateGradBatches?: number | Readonly<Record<number, number>>;
  /** Clips gradients (after unscaling and after accumulation) to this norm or value. Default: no clipping. */
  readonly gradientClipVal?: number;
  /** 'norm' (global L2 norm, default) or 'value' (element-wise). */
  readonly gradientClipAlgorithm?: 'norm' | 'value';
  /** '32' (default), '16-mixed' (fp16 with dynamic loss scaling) or 'bf16-mixed'; 32, 16 and 'bf16' are accepted aliases. */
  readonly precision?: PrecisionInput;
  /**
   * On strategies that compile steps (the XLA strategies): trace each training, validation and
   * prediction step once and replay its compiled program, as `jax.jit` does (default true).
   * false records every step again (slower, for steps that do host work a replay cannot repeat).
   */
  readonly compileSteps?: boolean;
  /** Requires `seedEverything(seed)` first; Math.random then draws from the seeded generator, saved in checkpoints. */
  readonly deterministic?: boolean;
  /**
   * Where loggers and checkpoints go. When set, the defaults are Lightning's (a CSV logger and a
   * checkpoint of the last epoch); when unset, the Trainer writes nothing to disk unless a logger
   * or a `ModelCheckpoint` is given, since Strata also runs embedded in apps and browsers.
   */
  readonly defaultRootDir?: string;
  /** Adds a `ModelCheckpoint` (last epoch) when none is given (default: true when `defaultRootDir` is set). */
  readonly enableCheckpointing?: boolean;
  /** Shows a progress bar: live on a TTY, periodic plain lines otherwise (default true). */
  readonly enableProgressBar?: boolean;
  readonly callbacks?: readonly Callback[];
  /** A logger, several, true (a `CsvLogger` in `defaultRootDir`; in a browser an `InPageLogger`) or false. Default: true when `defaultRootDir` is set. */
  readonly logger?: boolean | Logger | readonly Logger[];
  /** Step-level values go to the loggers every n optimizer steps (default 50). They are read at epoch end, never per step. */
  readonly logEveryNSteps?: number;
  /** Run `strategy.preflight` on the first batch before training (default true). */
  readonly preflight?: boolean;
  /** Stops training, with a warning, when the epoch's training loss is NaN or infinite (default true); with false, each such epoch gets a warning and training goes on. */
  readonly stopOnNonFiniteLoss?: boolean;
}

/** The resolved options: the settings, the user's callbacks and the loggers. */
export interface ResolvedTrainerOptions extends TrainerSettings {
  readonly callbacks: readonly Callback[];
  readonly logger: boolean | readonly Logger[];
}

const KNOWN = [
  'strategy', 'maxEpochs', 'minEpochs', 'maxSteps', 'numSanityValSteps', 'limitTrainBatches', 'limitValBatches', 'limitTestBatches',
  'limitPredictBatches', 'fastDevRun', 'overfitBatches', 'valCheckInterval', 'checkValEveryNEpoch', 'accumulateGradBatches',
  'gradientClipVal', 'gradientClipAlgorithm', 'precision', 'deterministic', 'defaultRootDir', 'enableCheckpointing',
  'enableProgressBar', 'callbacks', 'logger', 'logEveryNSteps', 'preflight', 'stopOnNonFiniteLoss', 'devices', 'fastest', 'compileSteps',
  'globalBatchSize', 'deviceBatchSize',
];

/**
 * The Trainer's flag connector: checks every option and fills defaults, in numbered steps as
 * Lightning's connectors do. An invalid value fails here, at construction.
 */
export function resolveTrainerOptions(options: TrainerOptions): ResolvedTrainerOptions {
  // 1. Unknown keys (a Python spelling such as max_epochs is the usual mistake).
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) {
      const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      throw new StrataError('invalid-option', `Unknown Trainer option ${quote(key)}.`, {
        value: key,
        fix: KNOWN.includes(camel) ? `write ${camel} (camelCase).` : `use one of: ${KNOWN.join(', ')}.`,
      });
    }
  }
  // 2. The strategy: its precision is checked against its capabilities by the Trainer.
  const strategy = options.strategy;
  if (strategy !== undefined && typeof strategy !== 'string' && (typeof strategy !== 'object' || typeof strategy.runStep !== 'function')) {
    invalidOption('strategy', strategy, "a strategy name ('cpu', 'tpu', 'auto', ...) or a DistributionStrategy instance");
  }
  const devices = options.devices;
  if (devices !== undefined && (typeof devices !== 'number' || !Number.isInteger(devices) || (devices < 1 && devices !== -1))) {
    invalidOption('devices', devices, 'an integer >= 1, or -1 for all the devices of the strategy');
  }
  if (devices !== undefined && devices !== -1 && typeof strategy === 'object' && devices !== strategy.numReplicas) {
    // An instance was configured already: its replicas are its own business.
    invalidOption('devices', devices, `${strategy.numReplicas} (the replicas of the given '${strategy.name}' strategy instance), or set on the strategy itself`);
  }
  // 3. Loop lengths.
  const maxSteps = integerAtLeast('maxSteps', options.maxSteps, -1, -1);
  // Lightning reads max_epochs=-1 as "no limit"; here -1 is a mistake more often than not, so
  // no limit is spelled Infinity (or left to maxSteps).
  if (options.maxEpochs !== undefined && options.maxEpochs !== Infinity && !(Number.isInteger(options.maxEpochs) && options.maxEpochs >= 1)) {
    invalidOption('maxEpochs', options.maxEpochs, 'an integer >= 1, or Infinity for no limit');
  }
  let maxEpochs = options.maxEpochs ?? (maxSteps === -1 ? 1000 : Infinity);
  const minEpochs = integerAtLeast('minEpochs', options.minEpochs, 0, 0);
  if (minEpochs > maxEpochs) invalidOption('minEpochs', minEpochs, `at most maxEpochs (${maxEpochs})`);
  let numSanityValSteps = integerAtLeast('numSanityValSteps', options.numSanityValSteps, 0, 2);
  let limitTrainBatches = batchLimit('limitTrainBatches', options.limitTrainBatches);
  let limitValBatches = batchLimit('limitValBatches', options.limitValBatches);
  let limitTestBatches = batchLimit('limitTestBatches', options.limitTestBatches);
  let limitPredictBatches = batchLimit('limitPredictBatches', options.limitPredictBatches);
  let valCheckInterval = valInterval(options.valCheckInterval);
  let checkValEveryNEpoch = integerAtLeast('checkValEveryNEpoch', options.checkValEveryNEpoch, 1, 1);
  let resolvedMaxSteps = maxSteps;

  // 4. Debugging flags override the limits, as Lightning's _init_debugging_flags does.
  const fastDevRun = options.fastDevRun === undefined || options.fastDevRun === false ? 0 : options.fastDevRun === true ? 1 : integerAtLeast('fastDevRun', options.fastDevRun, 0, 0);
  if (options.fastDevRun !== undefined && typeof options.fastDevRun !== 'boolean' && typeof options.fastDevRun !== 'number') invalidOption('fastDevRun', options.fastDevRun, 'true, false or an integer >= 0');
  let overfitBatches: ResolvedLimit | undefined;
  if (options.overfitBatches !== undefined && options.overfitBatches !== 0) {
    overfitBatches = batchLimit('overfitBatches', options.overfitBatches);
  }
  if (fastDevRun > 0) {
    const n: ResolvedLimit = { kind: 'count', value: fastDevRun };
    limitTrainBatches = limitValBatches = limitTestBatches = limitPredictBatches = n;
    numSanityValSteps = 0;
    maxEpochs = 1;
    resolvedMaxSteps = fastDevRun;
    valCheckInterval = undefined;
    checkValEveryNEpoch = 1;
  } else if (overfitBatches) {
    limitTrainBatches = overfitBatches;
    limitValBatches = overfitBatches;
  }

  // 5. Optimization.
  let accumulateGradBatches = 1;
  let accumulationSchedule: Record<number, number> | undefined;
  const acc = options.accumulateGradBatches;
  if (typeof acc === 'object' && acc !== null) {
    accumulationSchedule = accumulationScheduleOf(acc);
    accumulateGradBatches = accumulationSchedule[0] ?? 1;
  } else {
    accumulateGradBatches = integerAtLeast('accumulateGradBatches', acc, 1, 1);
  }
  const globalBatchSize = options.globalBatchSize === undefined ? undefined : integerAtLeast('globalBatchSize', options.globalBatchSize, 1, 1);
  const deviceBatchSize = options.deviceBatchSize === undefined ? undefined : integerAtLeast('deviceBatchSize', options.deviceBatchSize, 1, 1);
  if (globalBatchSize !== undefined && acc !== undefined) {
    throw new StrataError('invalid-option', `Trainer options globalBatchSize (${globalBatchSize}) and accumulateGradBatches (${JSON.stringify(acc)}) were both given.`, {
      value: acc,
      fix: 'give one: globalBatchSize derives the accumulation from the device count (cap the samples per device with deviceBatchSize), accumulateGradBatches fixes it by hand.',
    });
  }
  if (deviceBatchSize !== undefined && globalBatchSize === undefined) {
    throw new StrataError('invalid-option', `Trainer option deviceBatchSize (${deviceBatchSize}) needs globalBatchSize.`, {
      value: deviceBatchSize,
      fix: 'set globalBatchSize (the samples of one optimizer step) as well, or leave deviceBatchSize out and set the DataLoader batchSize.',
    });
  }
  const gradientClipVal = options.gradientClipVal;
  if (gradientClipVal !== undefined && (typeof gradientClipVal !== 'number' || !(gradientClipVal > 0) || !Number.isFinite(gradientClipVal))) {
    invalidOption('gradientClipVal', gradientClipVal, 'a finite number > 0 (leave it out for no clipping)');
  }
  const gradientClipAlgorithm = options.gradientClipAlgorithm ?? 'norm';
  if (gradientClipAlgorithm !== 'norm' && gradientClipAlgorithm !== 'value') invalidOption('gradientClipAlgorithm', gradientClipAlgorithm, "'norm' or 'value'");

  // 6. Precision (checked against the strategy's capabilities once the strategy is known).
  const precision = precisionOf(options.precision);
  const deterministic = booleanOption('deterministic', options.deterministic, false);

  // 7. Output: loggers, checkpoints, progress.
  const defaultRootDir = options.defaultRootDir;
  if (defaultRootDir !== undefined && (typeof defaultRootDir !== 'string' || defaultRootDir === '')) invalidOption('defaultRootDir', defaultRootDir, 'a directory path');
  const writes = defaultRootDir !== undefined && fastDevRun === 0;
  let logger: boolean | readonly Logger[];
  const loggerOption = options.logger;
  if (loggerOption === undefined) logger = writes;
  else if (typeof loggerOption === 'boolean') logger = loggerOption && fastDevRun === 0;
  else if (Array.isArray(loggerOption)) logger = fastDevRun > 0 ? false : loggerOption.map((l, i) => checkLogger(`logger[${i}]`, l));
  else logger = fastDevRun > 0 ? false : [checkLogger('logger', loggerOption as Logger)];

  return {
    strategy,
    devices,
    fastest: resolveFastestOptions(options.fastest),
    maxEpochs,
    minEpochs,
    maxSteps: resolvedMaxSteps,
    numSanityValSteps,
    limitTrainBatches,
    limitValBatches,
    limitTestBatches,
    limitPredictBatches,
    fastDevRun,
    overfitBatches,
    valCheckInterval,
    checkValEveryNEpoch,
    accumulateGradBatches,
    accumulationSchedule,
    globalBatchSize,
    deviceBatchSize,
    gradientClipVal,
    gradientClipAlgorithm,
    precision,
    deterministic,
    defaultRootDir,
    enableCheckpointing: booleanOption('enableCheckpointing', options.enableCheckpointing, writes) && fastDevRun === 0,
    enableProgressBar: booleanOption('enableProgressBar', options.enableProgressBar, true),
    callbacks: arrayOf('callbacks', options.callbacks),
    logger,
    logEveryNSteps: integerAtLeast('logEveryNSteps', options.logEveryNSteps, 1, 50),
    preflight: booleanOption('preflight', options.preflight, true),
    stopOnNonFiniteLoss: booleanOption('stopOnNonFiniteLoss', options.stopOnNonFiniteLoss, true),
    compileSteps: booleanOption('compileSteps', options.compileSteps, true),
  };
}

/** The number of batches a limit leaves of a loader of `length` batches (Lightning's _parse_num_batches). */
export function limitBatches(name: string, limit: ResolvedLimit, length: number | undefined): number {
  if (limit.kind === 'all') return length ?? Infinity;
  if (limit.kind === 'count') return Math.min(limit.value, length ?? Infinity);
  if (length === undefined) {
    throw new StrataError('invalid-option', `${name} is a fraction (${limit.value}) but the loader has no length.`, {
      value: limit.value,
      fix: `give ${name} as a count of batches, or use a loader with a length (DataLoader has one).`,
    });
  }
  const n = Math.floor(length * limit.value);
  if (n === 0 && length > 0) {
    throw new StrataError('invalid-option', `${name}=${limit.value} of ${length} batches leaves 0 batches.`, {
      value: limit.value,
      fix: `raise ${name} to at least ${(1 / length).toPrecision(3)}, or give a count.`,
    });
  }
  return n;
}

/** The factor of `epoch` in an accumulation schedule: the entry with the largest key <= epoch. */
export function accumulationFor(schedule: Readonly<Record<number, number>>, epoch: number): number {
  let factor = 1;
  for (const key of Object.keys(schedule).map(Number).sort((a, b) => a - b)) if (key <= epoch) factor = schedule[key];
  return factor;
}

/**
 * The options that change the math of a step: a resumed run must match them (hashed into the
 * checkpoint). With a global batch size (the option, or one adopted from a checkpoint) that
 * size is the step's math, and the accumulation, which follows from the device count, is not.
 */
export function mathConfig(options: TrainerSettings, globalBatchSize = options.globalBatchSize): Record<string, unknown> {
  const batch = globalBatchSize === undefined ? { accumulateGradBatches: options.accumulationSchedule ?? options.accumulateGradBatches } : { globalBatchSize };
  return {
    ...batch,
    gradientClipVal: options.gradientClipVal ?? null,
    gradientClipAlgorithm: options.gradientClipAlgorithm,
    precision: options.precision,
  };
}

function accumulationScheduleOf(value: Readonly<Record<number, number>>): Record<number, number> {
  const out: Record<number, number> = {};
  const keys = Object.keys(value);
  if (keys.length === 0) invalidOption('accumulateGradBatches', value, 'an integer >= 1 or a non-empty schedule such as { 0: 8, 4: 4 }');
  for (const key of keys) {
    const epoch = Number(key);
    const factor = (value as Record<string, number>)[key];
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isInteger(factor) || factor < 1) {
      invalidOption('accumulateGradBatches', value, 'a schedule whose keys are epochs (integers >= 0) and values integers >= 1, such as { 0: 8, 4: 4 }');
    }
    out[epoch] = factor;
  }
  return out;
}

function precisionOf(value: PrecisionInput | undefined): Precision {
  if (value === undefined) return '32';
  const aliases: Record<string, Precision> = { '32': '32', '16': '16-mixed', bf16: 'bf16-mixed', '32-true': '32' };
  const key = String(value);
  if ((PRECISIONS as readonly string[]).includes(key)) return key as Precision;
  if (key in aliases && (typeof value === 'number' || typeof value === 'string')) return aliases[key];
  return invalidOption('precision', value, `one of ${PRECISIONS.map((p) => quote(p)).join(', ')} (or 32, 16, 'bf16')`);
}

function batchLimit(name: string, value: BatchLimit | undefined): ResolvedLimit {
  if (value === undefined || value === Infinity) return { kind: 'all' };
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)%$/.exec(value);
    const percent = match ? Number(match[1]) : NaN;
    if (!(percent > 0 && percent <= 100)) invalidOption(name, value, "a percentage in (0%, 100%] such as '25%'");
    return percent === 100 ? { kind: 'all' } : { kind: 'fraction', value: percent / 100 };
  }
  if (typeof value !== 'number' || !(value >= 0)) invalidOption(name, value, "an integer count >= 0, a fraction in (0, 1), or a percentage such as '25%'");
  if (Number.isInteger(value)) return { kind: 'count', value };
  if (value > 1) invalidOption(name, value, "an integer count, or a fraction in (0, 1) (a fraction above 1 is ambiguous)");
  return { kind: 'fraction', value };
}

function valInterval(value: number | undefined): ResolvedLimit | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0)) invalidOption('valCheckInterval', value, 'an integer >= 1 (batches) or a fraction in (0, 1) of the epoch');
  if (Number.isInteger(value)) return { kind: 'count', value };
  if (value > 1) invalidOption('valCheckInterval', value, 'an integer >= 1 (batches) or a fraction in (0, 1) of the epoch');
  return { kind: 'fraction', value };
}

function checkLogger(name: string, value: Logger): Logger {
  if (typeof value !== 'object' || value === null || typeof value.logMetrics !== 'function') invalidOption(name, value, 'a Logger (CsvLogger, TensorBoardLogger, JsonLinesLogger...)');
  return value;
}

function integerAtLeast(name: string, value: number | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) invalidOption(name, value, `an integer >= ${min}`);
  return value;
}

function booleanOption(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalidOption(name, value, 'true or false');
  return value;
}

function arrayOf(name: string, value: readonly Callback[] | undefined): readonly Callback[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) invalidOption(name, value, 'an array of callbacks');
  return value;
}
