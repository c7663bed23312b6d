import { StrataError, invalidOption } from '@strata/core';
import type { Callback, EpochMetrics, TrainerView } from '../callback.js';
import { readTrainerCheckpoint } from '../checkpoint/checkpoint-connector.js';
import { adoptRestoredCheckpoints, ownCopy, removeOwnCheckpoint } from '../checkpoint/checkpoint-ownership.js';
import type { CheckpointStorage } from '../checkpoint/checkpoint-storage.js';
import { defaultCheckpointStorage } from '../checkpoint/default-checkpoint-storage.js';
import { CHECKPOINT_EXTENSION as EXTENSION, formatCheckpointName } from '../checkpoint/checkpoint-names.js';
import { NonFiniteStateError } from '../checkpoint/non-finite-state.js';
import { joinPath } from '../checkpoint/storage-path.js';
import { bestEntry, isBetter, worstEntry } from '../checkpoint/top-k-ranking.js';

export { formatCheckpointName, listCheckpoints } from '../checkpoint/checkpoint-names.js';

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
  /** Also keep `last.ckpt`, always the latest finite state (default false). */
  readonly saveLast?: boolean;
  /** Save every n optimizer steps (inside the epoch) instead of every epoch. */
  readonly everyNTrainSteps?: number;
  /** Save every n epochs (default 1 unless everyNTrainSteps is set). */
  readonly everyNEpochs?: number;
  /** Where the files are written (default: the platform's checkpoint storage, the file system on Node). */
  readonly storage?: CheckpointStorage;
}

const LAST = 'last';
/** The training loss of an epoch: an epoch where it is not finite is never saved. */
const LOSS = 'train_loss';

interface Bookkeeping {
  bestKModels: Record<string, number>;
  bestModelPath: string;
  bestModelScore: number | undefined;
  lastModelPath: string;
}

/**
 * Saves checkpoints during `fit` and keeps exactly the best `saveTopK` by `monitor` (plus
 * `last.ckpt` with `saveLast`), as Lightning's ModelCheckpoint. Files are written atomically,
 * so a crash leaves the previous ones intact; resume with `fit(..., { ckptPath: 'last' })`.
 *
 * It never loses the last good state: an epoch or step whose training loss, monitored metric,
 * weights or optimizer state is NaN or infinite is neither saved nor pruned (a warning, once per
 * fit, names it and the checkpoints kept), so the last finite checkpoint and `last.ckpt` stay.
 * (Under '16-mixed' the update of a non-finite step is skipped, so there a non-finite loss alone
 * does not stop a save: the weights decide.)
 * A file is removed only after the files that replace it are written, and only when it lies in
 * this callback's own directory: resuming a state whose files lie elsewhere (a copied
 * checkpoint) never touches them. At the start of each fit, temporary files that interrupted
 * writes left in the directory are removed.
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
  /** Where the files are written and read. */
  readonly storage: CheckpointStorage;
  private dirpathOption: string | undefined;
  /** Path to score of the files kept for top-k: always files in this callback's directory. */
  bestKModels: Record<string, number> = {};
  bestModelPath = '';
  bestModelScore: number | undefined;
  lastModelPath = '';
  private lastSavedStep = -1;
  private warned = new Set<string>();
  /** A state loaded from a checkpoint whose paths are not yet checked against this callback's directory. */
  private restoredPending = false;
  private nonFiniteWarned = false;

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
    this.storage = options.storage ?? defaultCheckpointStorage();
  }

  get stateKey(): string {
    return `ModelCheckpoint{monitor=${this.monitor ?? ''},mode=${this.mode},everyNTrainSteps=${this.everyNTrainSteps},everyNEpochs=${this.everyNEpochs}}`;
  }

  stateDict(): unknown {
    return { bestKModels: this.bestKModels, bestModelPath: this.bestModelPath, bestModelScore: this.bestModelScore ?? null, lastModelPath: this.lastModelPath };
  }

  loadStateDict(state: unknown): void {
    const s = state as { bestKModels: Record<string, number | null>; bestModelPath: string; bestModelScore: number | null; lastModelPath: string };
    // A file written before non-finite numbers were kept holds null for a NaN score.
    this.bestKModels = Object.fromEntries(Object.entries(s.bestKModels ?? {}).map(([path, score]) => [path, score ?? Number.NaN]));
    this.bestModelPath = s.bestModelPath ?? '';
    this.bestModelScore = s.bestModelScore ?? undefined;
    this.lastModelPath = s.lastModelPath ?? '';
    // The loaded state starts a run or resumes one at a later step: no save has happened in it yet.
    this.lastSavedStep = -1;
    this.restoredPending = true;
  }

  /** Where the files go for `trainer`. */
  dirpath(trainer: TrainerView): string {
    if (this.dirpathOption === undefined) {
      const logger = trainer.loggers[0];
      this.dirpathOption = joinPath(logger ? logger.logDir : trainer.defaultRootDir, 'checkpoints');
    }
    return this.dirpathOption;
  }

  /** `last.ckpt` in this callback's directory. */
  async lastPath(trainer: TrainerView): Promise<string> {
    const path = joinPath(this.dirpath(trainer), `${LAST}${EXTENSION}`);
    if (!(await this.storage.exists(path))) {
      throw new StrataError('checkpoint-mismatch', `ckptPath: 'last' found no ${path}.`, {
        value: path,
        fix: 'train once with ModelCheckpoint({ saveLast: true }) in the same dirpath, or pass the file path.',
      });
    }
    return path;
  }

  /**
   * The best checkpoint so far: this callback's own, or the one recorded in `last.ckpt` (its copy
   * in this directory when the run directory was copied here). Never a file that does not exist.
   */
  async bestPath(trainer: TrainerView): Promise<string> {
    const dir = this.dirpath(trainer);
    let recorded = this.bestModelPath;
    if (!recorded) {
      const state = (await readTrainerCheckpoint(await this.lastPath(trainer), this.storage)).meta.callbacks[this.stateKey] as { bestModelPath?: string } | undefined;
      recorded = state?.bestModelPath ?? '';
    }
    if (!recorded) {
      throw new StrataError('checkpoint-mismatch', "ckptPath: 'best' found no best checkpoint.", {
        fix: 'set monitor on the ModelCheckpoint and train first, or pass the file path.',
      });
    }
    const found = (await ownCopy(recorded, dir, this.storage)) ?? ((await this.storage.exists(recorded)) ? recorded : undefined);
    if (found === undefined) {
      throw new StrataError('checkpoint-mismatch', `ckptPath: 'best' names ${recorded}, which no longer exists.`, {
        value: recorded,
        fix: "pass the path of a checkpoint that exists, or ckptPath: 'last'.",
      });
    }
    return found;
  }

  /** At the start of a fit: removes stale temporary files and checks a restored state's paths against this directory. */
  async setup(trainer: TrainerView, _module: unknown, stage: string): Promise<void> {
    if (stage !== 'fit') return;
    this.nonFiniteWarned = false;
    await this.storage.removeStaleTemporaries(this.dirpath(trainer));
    await this.adoptRestoredState(trainer);
  }

  async onTrainBatchEnd(trainer: TrainerView): Promise<void> {
    if (this.everyNTrainSteps === 0 || this.skip(trainer)) return;
    const step = trainer.globalStep;
    if (step === 0 || step % this.everyNTrainSteps !== 0 || step === this.lastSavedStep) return;
    // The running loss of this epoch is checked with the weights, when the Trainer reads them to save.
    await this.save(trainer, { ...trainer.callbackMetrics, epoch: trainer.currentEpoch }, {});
  }

  async onTrainEpochEnd(trainer: TrainerView, _module: unknown, metrics: EpochMetrics): Promise<void> {
    if (this.everyNEpochs === 0 || this.skip(trainer) || (trainer.currentEpoch + 1) % this.everyNEpochs !== 0) return;
    // As Lightning saves top-k after validation: an epoch without the monitored metric (no
    // validation this epoch) only refreshes last.ckpt, never ranks a stale score.
    const ranks = this.monitor === undefined || this.monitor in metrics;
    await this.save(trainer, { ...trainer.callbackMetrics, ...metrics }, metrics, ranks);
  }

  private skip(trainer: TrainerView): boolean {
    return trainer.sanityChecking || trainer.options.fastDevRun > 0;
  }

  /**
   * Saves the top-k file (when `rank` and the score qualifies) and `last.ckpt`, then removes the
   * file the new one replaces. The bookkeeping is updated before the writes, so each file records
   * the state that holds once it exists, and put back when a write fails or is refused.
   */
  private async save(trainer: TrainerView, metrics: Record<string, number>, epochMetrics: EpochMetrics, rank = true): Promise<void> {
    this.lastSavedStep = trainer.globalStep;
    await this.adoptRestoredState(trainer);
    const dir = this.dirpath(trainer);
    const values = { ...metrics, epoch: trainer.currentEpoch, step: trainer.globalStep };
    const nonFinite = this.nonFiniteMetric(trainer, epochMetrics, rank ? values : {});
    if (nonFinite !== undefined) {
      this.warnNonFinite(trainer, nonFinite);
      return;
    }
    const before = this.bookkeeping();
    const removals: string[] = [];
    const writes: string[] = [];
    if (this.saveTopK !== 0 && rank) {
      const path = this.monitor === undefined ? await this.planLatest(dir, values, removals) : await this.planTopK(trainer, dir, values, removals);
      if (path !== undefined) writes.push(path);
    }
    if (this.saveLast) {
      const path = joinPath(dir, `${LAST}${EXTENSION}`);
      this.lastModelPath = path;
      writes.push(path);
    }
    try {
      for (const path of writes) await trainer.saveCheckpoint(path, { storage: this.storage });
    } catch (error) {
      this.setBookkeeping(before);
      if (error instanceof NonFiniteStateError) {
        this.warnNonFinite(trainer, error.found);
        return;
      }
      throw error;
    }
    for (const path of removals) if (!writes.includes(path)) await removeOwnCheckpoint(path, dir, this.storage, EXTENSION);
  }

  /** Without a monitor the latest is the best: the new path, and the previous one to remove. */
  private async planLatest(dir: string, values: Record<string, number>, removals: string[]): Promise<string> {
    const path = await this.uniquePath(dir, formatCheckpointName(this.filename, values));
    if (this.saveTopK === 1 && this.bestModelPath && this.bestModelPath !== path) removals.push(this.bestModelPath);
    this.bestModelPath = path;
    this.bestKModels = { [path]: values.step };
    return path;
  }

  /** The new top-k path when the score qualifies (the one it pushes out goes to `removals`), else undefined. */
  private async planTopK(trainer: TrainerView, dir: string, values: Record<string, number>, removals: string[]): Promise<string | undefined> {
    const monitor = this.monitor!;
    const score = values[monitor];
    if (score === undefined) {
      // As Lightning: before the first epoch has ended the metric may not exist yet; warn and skip.
      if (trainer.history.length === 0) {
        this.warn(`ModelCheckpoint: ${JSON.stringify(monitor)} is not logged yet at step ${trainer.globalStep}; no top-k checkpoint saved.`);
        return undefined;
      }
      throw new StrataError('invalid-option', `ModelCheckpoint monitors ${JSON.stringify(monitor)}, which was not logged.`, {
        value: monitor,
        fix: `log it with this.log(${JSON.stringify(monitor)}, value), or monitor one of: ${Object.keys(values).join(', ')}.`,
      });
    }
    const worst = worstEntry(this.bestKModels, this.mode);
    const full = this.saveTopK !== -1 && Object.keys(this.bestKModels).length >= this.saveTopK;
    if (full && worst !== undefined && !isBetter(score, worst[1], this.mode)) return undefined;
    const path = await this.uniquePath(dir, formatCheckpointName(this.filename, values));
    this.bestKModels[path] = score;
    if (full && worst !== undefined) {
      delete this.bestKModels[worst[0]];
      if (worst[0] !== path) removals.push(worst[0]);
    }
    this.updateBest();
    return path;
  }

  /** bestModelPath and bestModelScore from bestKModels. */
  private updateBest(): void {
    if (this.monitor === undefined) {
      this.bestModelPath = Object.keys(this.bestKModels)[0] ?? '';
      this.bestModelScore = undefined;
      return;
    }
    const best = bestEntry(this.bestKModels, this.mode);
    this.bestModelPath = best?.[0] ?? '';
    this.bestModelScore = best?.[1];
  }

  /**
   * The non-finite value that stops this save before any read: the epoch's training loss (unless
   * the precision plugin skipped the non-finite steps, '16-mixed': then the weights, checked as
   * they are saved, decide), or the monitored metric when it ranks.
   */
  private nonFiniteMetric(trainer: TrainerView, epochMetrics: EpochMetrics, ranked: Record<string, number>): string | undefined {
    const loss = epochMetrics[LOSS];
    if (loss !== undefined && !Number.isFinite(loss) && !trainer.precisionPlugin.checksFinite) return `${LOSS} was ${loss}`;
    const score = this.monitor === undefined ? undefined : ranked[this.monitor];
    if (score !== undefined && !Number.isFinite(score)) return `${this.monitor} was ${score}`;
    return undefined;
  }

  private warnNonFinite(trainer: TrainerView, what: string): void {
    if (this.nonFiniteWarned) return;
    this.nonFiniteWarned = true;
    const kept = [...new Set([this.bestModelPath, this.lastModelPath].filter((p) => p !== ''))];
    console.warn(
      `ModelCheckpoint: ${what} at epoch ${trainer.currentEpoch}, step ${trainer.globalStep}: no checkpoint saved and none removed; ` +
        (kept.length > 0 ? `the last finite ones stay: ${kept.join(', ')}.` : 'no finite checkpoint has been saved yet.') +
        ' Further non-finite saves in this fit are skipped without a warning.',
    );
  }

  /** Checks a state loaded from a checkpoint against this callback's directory (see checkpoint-ownership.ts). */
  private async adoptRestoredState(trainer: TrainerView): Promise<void> {
    if (!this.restoredPending) return;
    this.restoredPending = false;
    const dir = this.dirpath(trainer);
    const adopted = await adoptRestoredCheckpoints(this, dir, this.storage);
    if (adopted.foreign.length > 0) {
      console.warn(
        `ModelCheckpoint: the restored state lists ${adopted.foreign.length} checkpoint(s) outside dirpath ${dir} (${adopted.foreign.join(', ')}); ` +
          'they are left in place and no longer ranked here.',
      );
    }
    this.bestKModels = adopted.bestKModels;
    this.lastModelPath = adopted.lastModelPath;
    this.updateBest();
  }

  private bookkeeping(): Bookkeeping {
    return { bestKModels: { ...this.bestKModels }, bestModelPath: this.bestModelPath, bestModelScore: this.bestModelScore, lastModelPath: this.lastModelPath };
  }

  private setBookkeeping(state: Bookkeeping): void {
    this.bestKModels = state.bestKModels;
    this.bestModelPath = state.bestModelPath;
    this.bestModelScore = state.bestModelScore;
    this.lastModelPath = state.lastModelPath;
  }

  private warn(message: string): void {
    if (this.warned.has(message.split(' at step')[0])) return;
    this.warned.add(message.split(' at step')[0]);
    console.warn(message);
  }

  /** As Lightning: a name already taken by another kept file gets -v1, -v2... */
  private async uniquePath(dir: string, name: string): Promise<string> {
    let path = joinPath(dir, `${name}${EXTENSION}`);
    for (let v = 1; path in this.bestKModels && (await this.storage.exists(path)); v++) path = joinPath(dir, `${name}-v${v}${EXTENSION}`);
    return path;
  }
}
