import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError, invalidOption } from '@strata/core';
import type { Callback, EpochMetrics, TrainerView } from '../callback.js';
import { readTrainerCheckpoint } from '../checkpoint/checkpoint-connector.js';

export interface ModelCheckpointOptions {
  /** Directory of the files (default: `<first logger's logDir>/checkpoints`, else `<defaultRootDir>/checkpoints`). */
  readonly dirpath?: string;
  /**
   * File name template without extension: `{name}` or `{name:.3f}` takes `epoch`, `step` or a
   * logged metric, written `name=value` as Lightning's auto_insert_metric_name does.
   * Default '{epoch}-{step}' (epoch=3-step=120.ckpt).
   */
  readonly filename?: string;
  /** Metric that ranks checkpoints; without one, the latest is kept. */
  readonly monitor?: string;
  /** 'min' (default) or 'max'. */
  readonly mode?: 'min' | 'max';
  /** Best checkpoints to keep: k, -1 for all, 0 for none (default 1). */
  readonly saveTopK?: number;
  /** Also keep `last.ckpt`, always the latest state (default false). */
  readonly saveLast?: boolean;
  /** Save every n optimizer steps (inside the epoch) instead of every epoch. */
  readonly everyNTrainSteps?: number;
  /** Save every n epochs (default 1 unless everyNTrainSteps is set). */
  readonly everyNEpochs?: number;
}

const LAST = 'last';
const EXTENSION = '.ckpt';

/**
 * Saves checkpoints during `fit` and keeps exactly the best `saveTopK` by `monitor` (plus
 * `last.ckpt` with `saveLast`), as Lightning's ModelCheckpoint. Files are written atomically,
 * so a crash leaves the previous ones intact; resume with `fit(..., { ckptPath: 'last' })`.
 *
 * @example
 * new ModelCheckpoint({ monitor: 'val_loss', saveTopK: 2, saveLast: true, filename: '{epoch}-{val_loss:.3f}' })
 */
export class ModelCheckpoint implements Callback {
  readonly monitor: string | undefined;
  readonly mode: 'min' | 'max';
  readonly saveTopK: number;
  readonly saveLast: boolean;
  readonly everyNTrainSteps: number;
  readonly everyNEpochs: number;
  readonly filename: string;
  private dirpathOption: string | undefined;
  /** Path to score of the files kept for top-k. */
  bestKModels: Record<string, number> = {};
  bestModelPath = '';
  bestModelScore: number | undefined;
  lastModelPath = '';
  private lastSavedStep = -1;
  private warned = new Set<string>();

  constructor(options: ModelCheckpointOptions = {}) {
    this.monitor = options.monitor;
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') invalidOption('mode', this.mode, "'min' or 'max'");
    this.saveTopK = options.saveTopK ?? 1;
    if (!Number.isInteger(this.saveTopK) || this.saveTopK < -1) invalidOption('saveTopK', this.saveTopK, 'an integer >= -1');
    if (this.monitor === undefined && this.saveTopK > 1) {
      invalidOption('saveTopK', this.saveTopK, '0, 1 or -1 without a monitor (set monitor to rank more than one checkpoint)');
    }
    this.saveLast = options.saveLast ?? false;
    this.everyNTrainSteps = options.everyNTrainSteps ?? 0;
    if (!Number.isInteger(this.everyNTrainSteps) || this.everyNTrainSteps < 0) invalidOption('everyNTrainSteps', this.everyNTrainSteps, 'an integer >= 0');
    this.everyNEpochs = options.everyNEpochs ?? (this.everyNTrainSteps > 0 ? 0 : 1);
    if (!Number.isInteger(this.everyNEpochs) || this.everyNEpochs < 0) invalidOption('everyNEpochs', this.everyNEpochs, 'an integer >= 0');
    this.filename = options.filename ?? '{epoch}-{step}';
    this.dirpathOption = options.dirpath;
  }

  get stateKey(): string {
    return `ModelCheckpoint{monitor=${this.monitor ?? ''},mode=${this.mode},everyNTrainSteps=${this.everyNTrainSteps},everyNEpochs=${this.everyNEpochs}}`;
  }

  stateDict(): unknown {
    return { bestKModels: this.bestKModels, bestModelPath: this.bestModelPath, bestModelScore: this.bestModelScore ?? null, lastModelPath: this.lastModelPath };
  }

  loadStateDict(state: unknown): void {
    const s = state as { bestKModels: Record<string, number>; bestModelPath: string; bestModelScore: number | null; lastModelPath: string };
    this.bestKModels = { ...s.bestKModels };
    this.bestModelPath = s.bestModelPath;
    this.bestModelScore = s.bestModelScore ?? undefined;
    this.lastModelPath = s.lastModelPath;
    // The loaded state starts a run or resumes one at a later step: no save has happened in it yet.
    this.lastSavedStep = -1;
  }

  /** Where the files go for `trainer`. */
  dirpath(trainer: TrainerView): string {
    if (this.dirpathOption === undefined) {
      const logger = trainer.loggers[0];
      this.dirpathOption = join(logger ? logger.logDir : trainer.defaultRootDir, 'checkpoints');
    }
    return this.dirpathOption;
  }

  /** `last.ckpt` in this callback's directory. */
  lastPath(trainer: TrainerView): string {
    const path = join(this.dirpath(trainer), `${LAST}${EXTENSION}`);
    if (!existsSync(path)) {
      throw new StrataError('checkpoint-mismatch', `ckptPath: 'last' found no ${path}.`, {
        value: path,
        fix: 'train once with ModelCheckpoint({ saveLast: true }) in the same dirpath, or pass the file path.',
      });
    }
    return path;
  }

  /** The best checkpoint so far: this callback's own, or the one recorded in `last.ckpt`. */
  bestPath(trainer: TrainerView): string {
    if (this.bestModelPath) return this.bestModelPath;
    const state = readTrainerCheckpoint(this.lastPath(trainer)).meta.callbacks[this.stateKey] as { bestModelPath?: string } | undefined;
    if (!state?.bestModelPath) {
      throw new StrataError('checkpoint-mismatch', "ckptPath: 'best' found no best checkpoint.", {
        fix: 'set monitor on the ModelCheckpoint and train first, or pass the file path.',
      });
    }
    return state.bestModelPath;
  }

  async onTrainBatchEnd(trainer: TrainerView): Promise<void> {
    if (this.everyNTrainSteps === 0 || this.skip(trainer)) return;
    const step = trainer.globalStep;
    if (step === 0 || step % this.everyNTrainSteps !== 0 || step === this.lastSavedStep) return;
    await this.save(trainer, { ...trainer.callbackMetrics, epoch: trainer.currentEpoch });
  }

  async onTrainEpochEnd(trainer: TrainerView, _module: unknown, metrics: EpochMetrics): Promise<void> {
    if (this.everyNEpochs === 0 || this.skip(trainer) || (trainer.currentEpoch + 1) % this.everyNEpochs !== 0) return;
    // As Lightning saves top-k after validation: an epoch without the monitored metric (no
    // validation this epoch) only refreshes last.ckpt, never ranks a stale score.
    const fresh = this.monitor === undefined || this.monitor in metrics;
    await this.save(trainer, { ...trainer.callbackMetrics, ...metrics }, fresh);
  }

  private skip(trainer: TrainerView): boolean {
    return trainer.sanityChecking || trainer.options.fastDevRun > 0;
  }

  private async save(trainer: TrainerView, metrics: Record<string, number>, rank = true): Promise<void> {
    this.lastSavedStep = trainer.globalStep;
    const dir = this.dirpath(trainer);
    const values = { ...metrics, epoch: trainer.currentEpoch, step: trainer.globalStep };
    if (this.saveTopK !== 0 && rank) {
      if (this.monitor === undefined) {
        const path = this.uniquePath(dir, formatCheckpointName(this.filename, values));
        await trainer.saveCheckpoint(path);
        // Without a monitor the latest is the best: drop the previous one.
        if (this.saveTopK === 1 && this.bestModelPath && this.bestModelPath !== path) rmSync(this.bestModelPath, { force: true });
        this.bestModelPath = path;
        this.bestKModels = { [path]: trainer.globalStep };
      } else {
        await this.saveTopKCheckpoint(trainer, dir, values);
      }
    }
    if (this.saveLast) {
      const path = join(dir, `${LAST}${EXTENSION}`);
      await trainer.saveCheckpoint(path);
      this.lastModelPath = path;
    }
  }

  private async saveTopKCheckpoint(trainer: TrainerView, dir: string, values: Record<string, number>): Promise<void> {
    const monitor = this.monitor!;
    const score = values[monitor];
    if (score === undefined) {
      // As Lightning: before the first epoch has ended the metric may not exist yet; warn and skip.
      if (trainer.history.length === 0) {
        this.warn(`ModelCheckpoint: ${JSON.stringify(monitor)} is not logged yet at step ${trainer.globalStep}; no top-k checkpoint saved.`);
        return;
      }
      throw new StrataError('invalid-option', `ModelCheckpoint monitors ${JSON.stringify(monitor)}, which was not logged.`, {
        value: monitor,
        fix: `log it with this.log(${JSON.stringify(monitor)}, value), or monitor one of: ${Object.keys(values).join(', ')}.`,
      });
    }
    const better = (a: number, b: number) => (this.mode === 'min' ? a < b : a > b);
    const kept = Object.entries(this.bestKModels);
    const worst = kept.reduce<[string, number] | undefined>((w, e) => (w === undefined || better(w[1], e[1]) ? e : w), undefined);
    const full = this.saveTopK !== -1 && kept.length >= this.saveTopK;
    // A NaN score never enters the top k.
    if (Number.isNaN(score) || (full && worst !== undefined && !better(score, worst[1]))) return;
    const path = this.uniquePath(dir, formatCheckpointName(this.filename, values));
    await trainer.saveCheckpoint(path);
    this.bestKModels[path] = score;
    if (full && worst !== undefined) {
      delete this.bestKModels[worst[0]];
      if (worst[0] !== path) rmSync(worst[0], { force: true });
    }
    const best = Object.entries(this.bestKModels).reduce((b, e) => (better(e[1], b[1]) ? e : b));
    this.bestModelPath = best[0];
    this.bestModelScore = best[1];
  }

  private warn(message: string): void {
    if (this.warned.has(message.split(' at step')[0])) return;
    this.warned.add(message.split(' at step')[0]);
    console.warn(message);
  }

  /** As Lightning: a name already taken by another kept file gets -v1, -v2... */
  private uniquePath(dir: string, name: string): string {
    let path = join(dir, `${name}${EXTENSION}`);
    for (let v = 1; existsSync(path) && path in this.bestKModels; v++) path = join(dir, `${name}-v${v}${EXTENSION}`);
    return path;
  }
}

/**
 * Fills a filename template: '{epoch}-{val_loss:.2f}' with { epoch: 3, val_loss: 0.1234 } gives
 * 'epoch=3-val_loss=0.12'. Unknown names are left empty, as Lightning does with missing metrics.
 */
export function formatCheckpointName(template: string, values: Readonly<Record<string, number>>): string {
  return template.replace(/\{([^}:]+)(?::([^}]*))?\}/g, (_, name: string, spec: string | undefined) => {
    const value = values[name];
    let text = '';
    if (value !== undefined) {
      const fixed = spec ? /^\.(\d+)f$/.exec(spec) : null;
      const exp = spec ? /^\.(\d+)e$/.exec(spec) : null;
      text = fixed ? value.toFixed(Number(fixed[1])) : exp ? value.toExponential(Number(exp[1])) : String(value);
    }
    return `${name.replace(/\//g, '_')}=${text}`;
  });
}

/** Checkpoint files in `dir` (temporary files of interrupted writes excluded). */
export function listCheckpoints(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(EXTENSION) && !f.startsWith('.')).sort();
  } catch {
    return [];
  }
}
