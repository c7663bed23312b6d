import * as tf from '@tensorflow/tfjs-core';
import { crc32c } from '@aws-crypto/crc32c';
import { StrataError, globalRngState } from '@strata/core';
import type { EpochMetrics, TrainerView } from '../callback.js';
import type { LoggedMetricsState } from '../logged-metrics.js';
import type { Hyperparameters } from '../logging-types.js';
import type { LrSchedulerState } from '../optim/lr-scheduler.js';
import { mathConfig } from '../trainer-options.js';
import type { TrainingModule } from '../training-module.js';
import { readCheckpointFile, writeCheckpointFile, type CheckpointFile, type TensorDtype, type TensorRecord } from './checkpoint-format.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { defaultCheckpointStorage } from './default-checkpoint-storage.js';
import { NonFiniteStateError, nonFiniteState } from './non-finite-state.js';
import type { SaveCheckpointOptions } from './save-checkpoint-options.js';

/** Everything in a checkpoint that is not a tensor. */
export interface TrainerCheckpointMeta {
  readonly strata: 1;
  readonly savedAt: string;
  /** The epoch to run next, and how many of its batches are already done (0 at an epoch boundary). */
  readonly epoch: number;
  readonly batchIndex: number;
  readonly globalStep: number;
  /** The options that change a step's math (a resume must match them), and their fingerprint. */
  readonly config: Record<string, unknown>;
  readonly configHash: string;
  readonly module: { readonly className: string; readonly variables: { name: string; shape: number[]; dtype: string }[] };
  readonly optimizer: { readonly className: string; readonly slots: number };
  readonly lrSchedulers: LrSchedulerState[];
  readonly precision: Record<string, unknown>;
  readonly accumulateGradBatches: number;
  /**
   * Under `globalBatchSize`: the samples of one micro-batch when saved, the unit `batchIndex`
   * counts in (a resume on another device count recounts it in its own micro-batches).
   */
  readonly microBatchSize?: number;
  readonly callbacks: Record<string, unknown>;
  readonly rng: { seed: number; state: number } | null;
  readonly hyperparameters: Hyperparameters;
  readonly history: EpochMetrics[];
  readonly callbackMetrics: Record<string, number>;
  /** Running sums of a partly done epoch. */
  readonly trainMetrics: LoggedMetricsState;
}

export interface RestoredState {
  readonly epoch: number;
  readonly batchIndex: number;
  readonly globalStep: number;
  readonly history: EpochMetrics[];
  readonly callbackMetrics: Record<string, number>;
  readonly trainMetrics: LoggedMetricsState;
  readonly rng: { seed: number; state: number } | undefined;
  /** Under `globalBatchSize`: the micro-batch size `batchIndex` counts in. */
  readonly microBatchSize?: number;
}

/**
 * A fingerprint of the math-relevant options: CRC-32C of their JSON, in hex. It names a config
 * in the file for people and tools; a resume compares the options themselves, so a file whose
 * fingerprint was made another way still resumes.
 */
export function configHash(config: Record<string, unknown>): string {
  return (crc32c(new TextEncoder().encode(JSON.stringify(config))) >>> 0).toString(16).padStart(8, '0');
}

/**
 * Reads every piece of state (weights through `strategy.read`) and writes the checkpoint
 * atomically. A non-finite weight, optimizer slot or running training loss (see
 * `nonFiniteState`) is refused before anything is written (`SaveCheckpointOptions.allowNonFinite`
 * overrides): the check runs on the values the save reads anyway, so it costs no extra read.
 */
export async function saveTrainerCheckpoint(
  trainer: TrainerView,
  module: TrainingModule<never>,
  path: string,
  options: SaveCheckpointOptions,
  extra: { epochCompleted: boolean; trainMetrics: LoggedMetricsState },
): Promise<void> {
  const strategy = trainer.strategy;
  const optimizer = trainer.optimizer!;
  const variables = module.stateVariables();
  const tensors: TensorRecord[] = [];
  // Start every read before awaiting any: on a remote device they overlap.
  const moduleData = await Promise.all(variables.map((v) => strategy.read(v)));
  variables.forEach((v, i) => tensors.push(record(`module/${i}`, v.name, v, moduleData[i])));
  const slots = await optimizer.getWeights();
  const slotData = await Promise.all(slots.map((s) => strategy.read(s.tensor)));
  slots.forEach((s, i) => tensors.push(record(`optimizer/${i}`, s.name, s.tensor, slotData[i])));
  // getWeights makes a fresh tensor for the iteration count; the slot variables stay the optimizer's.
  tf.dispose(slots.map((s) => s.tensor).filter((t) => !(t instanceof tf.Variable)));
  const trainMetrics = extra.epochCompleted ? {} : extra.trainMetrics;
  if (!options.allowNonFinite) {
    const found = nonFiniteState(tensors, trainMetrics, !trainer.precisionPlugin.checksFinite);
    if (found !== undefined) throw new NonFiniteStateError(found, path, { epoch: trainer.currentEpoch, step: trainer.globalStep });
  }

  const callbacks: Record<string, unknown> = {};
  for (const c of trainer.callbacks) if (c.stateKey && c.stateDict) callbacks[c.stateKey] = c.stateDict();
  const config = mathConfig(trainer.options, trainer.globalBatchSize);
  const global = trainer.globalBatchSize;
  const meta: TrainerCheckpointMeta = {
    strata: 1,
    savedAt: new Date().toISOString(),
    epoch: extra.epochCompleted ? trainer.currentEpoch + 1 : trainer.currentEpoch,
    batchIndex: extra.epochCompleted ? 0 : trainer.batchesDone,
    globalStep: trainer.globalStep,
    config,
    configHash: configHash(config),
    module: { className: module.constructor.name, variables: variables.map((v) => ({ name: v.name, shape: [...v.shape], dtype: v.dtype })) },
    optimizer: { className: optimizer.getClassName(), slots: slots.length },
    lrSchedulers: trainer.lrSchedulers.map((s) => s.scheduler.stateDict()),
    precision: trainer.precisionPlugin.stateDict(),
    accumulateGradBatches: trainer.accumulateGradBatches,
    ...(global === undefined ? {} : { microBatchSize: global / trainer.accumulateGradBatches }),
    callbacks,
    rng: globalRngState() ?? null,
    hyperparameters: module.hparams,
    history: [...trainer.history],
    callbackMetrics: { ...trainer.callbackMetrics },
    trainMetrics,
  };
  await writeCheckpointFile(path, meta, tensors, options, options.storage ?? trainer.checkpointStorage);
}

/**
 * Reads a Trainer checkpoint. A file written before non-finite numbers were kept holds `null`
 * where one was: such values read back as NaN, so that a resume from it does not fail on them.
 */
export async function readTrainerCheckpoint(path: string, storage: CheckpointStorage = defaultCheckpointStorage()): Promise<CheckpointFile<TrainerCheckpointMeta>> {
  const file = await readCheckpointFile<TrainerCheckpointMeta>(path, storage);
  return { ...file, meta: withNullsAsNaN(file.meta) };
}

/** Where 'last' and 'best' point: the paths of the Trainer's first `ModelCheckpoint`. */
export interface CheckpointPaths {
  lastPath(trainer: TrainerView): Promise<string>;
  bestPath(trainer: TrainerView): Promise<string>;
}

/** The checkpoint path for 'last', 'best' (through `paths`) or a path. */
export async function resolveCheckpointPath(trainer: TrainerView, ckptPath: string, paths: CheckpointPaths | undefined): Promise<string> {
  if (ckptPath !== 'last' && ckptPath !== 'best') return ckptPath;
  if (!paths) {
    throw new StrataError('invalid-option', `ckptPath: ${JSON.stringify(ckptPath)} needs a ModelCheckpoint callback.`, {
      value: ckptPath,
      fix: 'add a ModelCheckpoint (or defaultRootDir, which adds one), or pass the checkpoint file path.',
    });
  }
  return ckptPath === 'last' ? paths.lastPath(trainer) : paths.bestPath(trainer);
}

/**
 * Reads the checkpoint that `ckptPath` ('last', 'best' or a path) names and puts its state back
 * into the trainer and its module (`restoreTrainerCheckpoint`); returns the loop state to resume.
 */
export async function restoreCheckpoint(trainer: TrainerView, ckptPath: string, options: { weightsOnly?: boolean } = {}): Promise<RestoredState> {
  const path = await trainer.resolveCheckpointPath(ckptPath);
  const file = await readTrainerCheckpoint(path, trainer.checkpointStorage);
  return restoreTrainerCheckpoint(trainer, trainer.module!, file, path, options);
}

/**
 * Puts a checkpoint's state back: weights, optimizer slots, schedulers, loss scale, callbacks.
 * Fails with `checkpoint-mismatch` when the model's variables or the math config differ.
 */
export async function restoreTrainerCheckpoint(
  trainer: TrainerView,
  module: TrainingModule<never>,
  file: CheckpointFile<TrainerCheckpointMeta>,
  path: string,
  options: { weightsOnly?: boolean },
): Promise<RestoredState> {
  const { meta } = file;
  const strategy = trainer.strategy;
  const variables = module.stateVariables();
  const saved = file.tensors.filter((t) => t.key.startsWith('module/'));
  if (saved.length !== variables.length) {
    throw new StrataError('checkpoint-mismatch', `Checkpoint ${JSON.stringify(path)} holds ${saved.length} model variables; this ${module.constructor.name} has ${variables.length}.`, {
      value: path,
      fix: `resume with the model that wrote it (${meta.module.className}), or start without ckptPath.`,
    });
  }
  variables.forEach((v, i) => {
    const s = saved[i];
    if (s.shape.length !== v.shape.length || s.shape.some((d, j) => d !== v.shape[j]) || s.dtype !== v.dtype) {
      throw new StrataError('checkpoint-mismatch', `Checkpoint ${JSON.stringify(path)} has variable ${i} (${s.name}) of shape [${s.shape}] ${s.dtype}; the model's (${v.name}) is [${v.shape}] ${v.dtype}.`, {
        value: path,
        fix: `resume with the same model architecture (${meta.module.className}), or start without ckptPath.`,
      });
    }
  });
  if (!options.weightsOnly) {
    adoptGlobalBatchSize(trainer, meta, path);
    const config = mathConfig(trainer.options, trainer.globalBatchSize);
    const differing = Object.keys({ ...config, ...meta.config })
      .filter((k) => JSON.stringify(config[k]) !== JSON.stringify(meta.config[k]))
      .map((k) => `${k}: checkpoint ${JSON.stringify(meta.config[k])}, Trainer ${JSON.stringify(config[k])}`);
    if (differing.length > 0) {
      throw new StrataError('checkpoint-mismatch', `Checkpoint ${JSON.stringify(path)} was trained with another Trainer config (${differing.join('; ')}).`, {
        value: path,
        fix: 'resume with the same globalBatchSize (or accumulateGradBatches), gradientClipVal, gradientClipAlgorithm and precision, or start without ckptPath.',
      });
    }
  }
  strategy.scope(() =>
    tf.tidy(() => {
      variables.forEach((v, i) => v.assign(tf.tensor(saved[i].data, [...saved[i].shape], saved[i].dtype as TensorDtype)));
    }),
  );
  const empty: RestoredState = { epoch: 0, batchIndex: 0, globalStep: 0, history: [], callbackMetrics: {}, trainMetrics: {}, rng: undefined };
  if (options.weightsOnly) return empty;

  const optimizer = trainer.optimizer!;
  if (optimizer.getClassName() !== meta.optimizer.className) {
    throw new StrataError('checkpoint-mismatch', `Checkpoint ${JSON.stringify(path)} holds ${meta.optimizer.className} state; configureOptimizers returned ${optimizer.getClassName()}.`, {
      value: path,
      fix: `return the same optimizer (${meta.optimizer.className}) from configureOptimizers, or start without ckptPath.`,
    });
  }
  const slotRecords = file.tensors.filter((t) => t.key.startsWith('optimizer/'));
  const slots = strategy.scope(() => slotRecords.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, [...t.shape], t.dtype) })));
  await strategy.scope(() => optimizer.setWeights(slots));
  // setWeights made variables that share these tensors' data (reference counted): drop ours.
  tf.dispose(slots.map((s) => s.tensor));

  if (meta.lrSchedulers.length !== trainer.lrSchedulers.length) {
    throw new StrataError('checkpoint-mismatch', `Checkpoint ${JSON.stringify(path)} holds ${meta.lrSchedulers.length} learning-rate schedulers; configureOptimizers returned ${trainer.lrSchedulers.length}.`, {
      value: path,
      fix: 'return the same schedulers from configureOptimizers, or start without ckptPath.',
    });
  }
  meta.lrSchedulers.forEach((state, i) => trainer.lrSchedulers[i].scheduler.loadStateDict(state));
  trainer.precisionPlugin.loadStateDict(meta.precision);
  // Under globalBatchSize the device count sets the accumulation (the fit loop does, after the restore).
  if (trainer.globalBatchSize === undefined) trainer.accumulateGradBatches = meta.accumulateGradBatches;
  for (const c of trainer.callbacks) {
    if (c.stateKey && c.loadStateDict && meta.callbacks[c.stateKey] !== undefined) c.loadStateDict(meta.callbacks[c.stateKey]);
  }
  module.hparams = { ...meta.hyperparameters, ...module.hparams };
  return {
    epoch: meta.epoch,
    batchIndex: meta.batchIndex,
    globalStep: meta.globalStep,
    history: meta.history,
    callbackMetrics: meta.callbackMetrics,
    trainMetrics: meta.trainMetrics,
    rng: meta.rng ?? undefined,
    microBatchSize: meta.microBatchSize,
  };
}

/**
 * The checkpoint's `globalBatchSize` against the Trainer's: equal ones resume; a Trainer without
 * one (and without its own accumulateGradBatches) adopts the checkpoint's, so a plain resume on
 * another device count keeps the samples per step; any other difference is refused, naming both.
 */
function adoptGlobalBatchSize(trainer: TrainerView, meta: TrainerCheckpointMeta, path: string): void {
  const saved = typeof meta.config.globalBatchSize === 'number' ? meta.config.globalBatchSize : undefined;
  const mine = trainer.globalBatchSize;
  if (saved === mine) return;
  const options = trainer.options;
  const ownAccumulation = options.accumulationSchedule !== undefined || options.accumulateGradBatches !== 1;
  if (mine === undefined && saved !== undefined && !ownAccumulation) {
    trainer.globalBatchSize = saved;
    return;
  }
  const what = (v: number | undefined) => (v === undefined ? 'none' : String(v));
  throw new StrataError('checkpoint-mismatch', `Checkpoint ${JSON.stringify(path)} was trained with globalBatchSize ${what(saved)}; this Trainer has globalBatchSize ${what(mine)}${mine === undefined && ownAccumulation ? ` and accumulateGradBatches ${JSON.stringify(options.accumulationSchedule ?? options.accumulateGradBatches)}` : ''}.`, {
    value: path,
    fix: saved === undefined
      ? 'resume without globalBatchSize (with the accumulateGradBatches it was trained with), or start without ckptPath.'
      : `resume with globalBatchSize: ${saved} (or leave it out to adopt the checkpoint's, without accumulateGradBatches), or start without ckptPath.`,
  });
}

function record(key: string, name: string, tensor: tf.Tensor, data: Float32Array | Int32Array | Uint8Array): TensorRecord {
  const dtype = tensor.dtype as TensorDtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new StrataError('checkpoint-mismatch', `Cannot checkpoint ${name}: dtype ${tensor.dtype}.`, { fix: 'keep model and optimizer state in float32, int32 or bool.' });
  }
  // Copy: a backend may hand back its own buffer, which the next step overwrites.
  const copy = dtype === 'float32' ? Float32Array.from(data) : dtype === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
  return { key, name, dtype, shape: [...tensor.shape], data: copy };
}

/** The meta with the `null`s that old files hold for non-finite metrics read as NaN. */
function withNullsAsNaN(meta: TrainerCheckpointMeta): TrainerCheckpointMeta {
  const numbers = (record: Readonly<Record<string, number | null>>): Record<string, number> =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v ?? Number.NaN]));
  const trainMetrics: LoggedMetricsState = {};
  for (const [name, entry] of Object.entries(meta.trainMetrics ?? {})) trainMetrics[name] = { ...entry, sum: entry.sum ?? Number.NaN };
  return {
    ...meta,
    history: (meta.history ?? []).map((h) => numbers(h)),
    callbackMetrics: numbers(meta.callbackMetrics ?? {}),
    trainMetrics,
  };
}
