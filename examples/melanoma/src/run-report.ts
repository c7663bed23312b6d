import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Callback, EpochMetrics, Trainer, TrainingModule } from '@strata/training';
import { linePlotPng } from '@strata/vision';
import { formatEpochLine, type EpochRow } from './epoch-line.js';
import { MelanomaClassifier } from './melanoma-classifier.js';

/** What `summary.json` holds. */
export interface RunSummary {
  readonly strategy: string;
  readonly engine: string;
  readonly model: string;
  readonly imageSize: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** Training batches run, over all epochs. */
  readonly trainBatches: number;
  readonly bestValAuc: number;
  readonly bestEpoch: number;
  readonly meanStepMs: number;
  readonly imagesPerSecond: number;
  readonly trainSeconds: number;
  /** Image loads skipped because the image failed to load (`--on-bad-sample skip`), over training and validation: a bad training image counts once per epoch. */
  readonly skippedSamples: number;
  /**
   * On strategies that compile steps: after each epoch (its checkpoints included), the programs
   * compiled, the steps traced (their JavaScript run) and the steps replayed so far.
   */
  readonly programs?: readonly ProgramCounts[];
}

/** What counts skipped samples: a DataLoader. */
export interface ProgramCounts {
  readonly compilations: number;
  readonly traces: number;
  readonly replays: number;
}

/** The counters of a strategy that compiles steps (the XLA strategies' `stats()`), else undefined. */
function programCounts(strategy: unknown): ProgramCounts | undefined {
  const stats = (strategy as { stats?: () => Partial<ProgramCounts> }).stats;
  if (typeof stats !== 'function') return undefined;
  const { compilations, traces, replays } = stats.call(strategy);
  return compilations === undefined || traces === undefined || replays === undefined ? undefined : { compilations, traces, replays };
}

interface SkipCounter {
  readonly badSamples: number;
}

/**
 * Prints a line per epoch as the seed does (`Epoch 0 | AUC: 0.87 | ...`), one after the
 * sanity check (how many validation batches it ran) and one after each epoch that skipped
 * images, times the training steps, and at the end of fit draws `curves.png` (loss and AUC per
 * epoch) and writes `summary.json` in the run folder.
 */
export class RunReport implements Callback {
  readonly epochs: EpochRow[] = [];
  private stepStarted = 0;
  private stepMs: number[] = [];
  private fitStarted = 0;
  private epochStarted = 0;
  private pendingVal: EpochMetrics | undefined;
  private loaders: readonly SkipCounter[] = [];
  private skippedBefore = 0;
  private readonly programs: ProgramCounts[] = [];
  summary: RunSummary | undefined;

  constructor(
    private readonly out: string,
    private readonly info: { model: string; imageSize: number; batchSize: number },
  ) {}

  /** Counts the samples these loaders skip: a line after each epoch that skipped some, and `skippedSamples` in the summary. */
  countSkipsOf(...loaders: SkipCounter[]): void {
    this.loaders = loaders;
  }

  /** Samples the loaders have skipped so far. */
  get skippedSamples(): number {
    return this.loaders.reduce((sum, loader) => sum + loader.badSamples, 0);
  }

  onFitStart(): void {
    this.fitStarted = performance.now();
  }

  onSanityCheckEnd(_trainer: Trainer, module: TrainingModule<never>): void {
    if (!(module instanceof MelanomaClassifier)) return;
    const n = module.validationBatches;
    console.log(`Sanity check: ${n} validation batch${n === 1 ? '' : 'es'} before training`);
  }

  onTrainEpochStart(trainer: Trainer): void {
    this.epochStarted = performance.now();
    // The previous epoch's counts, its end-of-epoch callbacks (checkpoints) included.
    if (trainer.currentEpoch > 0) this.countPrograms(trainer);
  }

  private countPrograms(trainer: Trainer): void {
    const counts = programCounts(trainer.strategy);
    if (counts !== undefined) this.programs.push(counts);
  }

  onTrainBatchStart(): void {
    this.stepStarted = performance.now();
  }

  onTrainBatchEnd(): void {
    this.stepMs.push(performance.now() - this.stepStarted);
  }

  onValidationEpochEnd(trainer: Trainer, _module: TrainingModule<never>, metrics: EpochMetrics): void {
    if (trainer.sanityChecking) return;
    this.pendingVal = metrics;
  }

  /** Lightning order: validation runs inside the training epoch, so the epoch's row is complete here. */
  onTrainEpochEnd(trainer: Trainer, _module: TrainingModule<never>, metrics: EpochMetrics): void {
    const val = this.pendingVal ?? {};
    this.pendingVal = undefined;
    const row = { train_loss: metrics.train_loss ?? Number.NaN, val_loss: val.val_loss ?? Number.NaN, val_auc: val.val_auc ?? Number.NaN, val_acc: val.val_acc ?? Number.NaN };
    this.epochs.push(row);
    const seconds = (performance.now() - this.epochStarted) / 1000;
    console.log(formatEpochLine(trainer.currentEpoch, row, seconds));
    const skipped = this.skippedSamples;
    if (skipped > this.skippedBefore) {
      const now = skipped - this.skippedBefore;
      console.log(`Skipped ${now} image${now === 1 ? '' : 's'} that failed to load in epoch ${trainer.currentEpoch} (${skipped} in all; each named in a warning above)`);
    }
    this.skippedBefore = skipped;
  }

  async onFitEnd(trainer: Trainer): Promise<void> {
    this.countPrograms(trainer);
    const aucs = this.epochs.map((e) => e.val_auc);
    const best = aucs.reduce((b, v, i) => (v > aucs[b] ? i : b), 0);
    // The first step of a run includes graph set-up: leave it out of the mean.
    const steady = this.stepMs.length > 1 ? this.stepMs.slice(1) : this.stepMs;
    const meanStepMs = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
    const device = trainer.strategy.describe();
    this.summary = {
      strategy: device.strategy,
      engine: device.engine,
      model: this.info.model,
      imageSize: this.info.imageSize,
      batchSize: this.info.batchSize,
      epochs: this.epochs.length,
      trainBatches: this.stepMs.length,
      bestValAuc: aucs[best] ?? Number.NaN,
      bestEpoch: best,
      meanStepMs: Math.round(meanStepMs * 10) / 10,
      imagesPerSecond: Math.round((this.info.batchSize / (meanStepMs / 1000)) * 10) / 10,
      trainSeconds: Math.round((performance.now() - this.fitStarted) / 100) / 10,
      skippedSamples: this.skippedSamples,
      ...(this.programs.length > 0 ? { programs: this.programs } : {}),
    };
    await writeFile(join(this.out, 'summary.json'), `${JSON.stringify(this.summary, null, 2)}\n`);
    if (this.epochs.length > 0) {
      await linePlotPng(
        [
          { title: 'Loss (weighted focal)', series: [{ name: 'train', values: this.epochs.map((e) => e.train_loss) }, { name: 'validation', values: this.epochs.map((e) => e.val_loss) }] },
          { title: 'Validation ROC-AUC', series: [{ name: 'AUC', values: aucs, color: '#2ca02c' }], yRange: [Math.min(0.5, ...aucs.filter(Number.isFinite)), 1] },
        ],
        join(this.out, 'curves.png'),
      );
    }
  }
}
