import type { Callback, EpochMetrics, TrainerView } from '../callback.js';
import { formatBar, formatDuration, formatMetric, formatRate } from './progress-bar-format.js';

/** Where the bar writes: process.stdout by default. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressBarOptions {
  readonly stream?: ProgressStream;
  /** Seconds between plain lines when the stream is not a TTY (default 30). */
  readonly printEverySeconds?: number;
  /** Seconds between redraws of the live bar (default 0.1). */
  readonly refreshSeconds?: number;
  /**
   * Writes one line with the epoch's metrics when each training epoch ends (default true). Turn
   * it off when the module or another callback prints its own epoch line.
   */
  readonly epochLine?: boolean;
  /** A clock in milliseconds (tests inject one). */
  readonly now?: () => number;
}

/**
 * The progress display, as Lightning's: a live bar on a TTY, and periodic plain lines otherwise
 * (logs, CI). Each shows the batches done of the epoch, it/s (training batches per second), the
 * epoch's ETA, the running loss (`loss`: the mean of `train_loss` over the epoch so far) with the
 * other running training metrics shown in the bar, and the last validation metrics; then one
 * line per epoch with its metrics. The running values are read from the devices only when a line
 * is drawn: at most once per `refreshSeconds` on a TTY, once per `printEverySeconds` otherwise.
 *
 * @example new Trainer({ callbacks: [new ProgressBar({ printEverySeconds: 10 })] })
 */
export class ProgressBar implements Callback {
  private readonly stream: ProgressStream;
  private readonly printEvery: number;
  private readonly refresh: number;
  private readonly epochLine: boolean;
  private readonly now: () => number;
  private epochStart = 0;
  private lastDraw = 0;
  private drewLive = false;

  constructor(options: ProgressBarOptions = {}) {
    // In a browser there is no process.stdout: lines go to the console.
    this.stream = options.stream ?? (typeof process !== 'undefined' && process.stdout ? process.stdout : { write: (t: string) => console.log(t.replace(/^\r|\n$/g, '')) });
    this.printEvery = (options.printEverySeconds ?? 30) * 1000;
    this.refresh = (options.refreshSeconds ?? 0.1) * 1000;
    this.epochLine = options.epochLine ?? true;
    this.now = options.now ?? (() => performance.now());
  }

  onTrainEpochStart(): void {
    this.epochStart = this.lastDraw = this.now();
  }

  async onTrainBatchEnd(trainer: TrainerView, _module: unknown, batchIndex: number): Promise<void> {
    const now = this.now();
    const live = this.stream.isTTY === true;
    if (now - this.lastDraw < (live ? this.refresh : this.printEvery)) return;
    this.lastDraw = now;
    const line = this.describe(trainer, batchIndex + 1, now, await trainer.readRunningMetrics());
    if (live) {
      // A terminal of unknown size reports 0 columns.
      const width = this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 100;
      this.stream.write(`\r${line.slice(0, width - 1).padEnd(width - 1)}`);
      this.drewLive = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  onTrainEpochEnd(trainer: TrainerView, _module: unknown, metrics: EpochMetrics): void {
    if (this.drewLive) this.stream.write('\r\x1b[K');
    this.drewLive = false;
    if (!this.epochLine) return;
    const seconds = (this.now() - this.epochStart) / 1000;
    const parts = Object.entries(metrics)
      .filter(([name]) => trainer.progBarNames.has(name))
      .map(([name, value]) => `${name}: ${formatMetric(value)}`);
    this.stream.write(`${[`Epoch ${trainer.currentEpoch}`, ...parts, `${seconds.toFixed(1)}s`].join(' | ')}\n`);
  }

  /**
   * One status line: epoch, batches done and a bar, it/s, ETA, the running training metrics
   * (`train_loss` shown as `loss`), then the last metrics read at an epoch end that the running
   * ones do not replace (the previous validation's).
   */
  describe(trainer: TrainerView, done: number, now: number, running: Readonly<Record<string, number>> = {}): string {
    const total = trainer.numTrainingBatches;
    const elapsed = Math.max(now - this.epochStart, 1e-3) / 1000;
    const rate = done / elapsed;
    const known = Number.isFinite(total) && total > 0;
    const eta = known ? formatDuration(Math.max(0, total - done) / rate) : '?';
    const progress = known ? `${done}/${total} ${formatBar(done, total)}` : `${done}/?`;
    const live = Object.entries(running).map(([name, value]) => `${name === 'train_loss' ? 'loss' : name}: ${formatMetric(value)}`);
    const last = Object.entries(trainer.callbackMetrics)
      .filter(([name]) => trainer.progBarNames.has(name) && !(name in running))
      .map(([name, value]) => `${name}: ${formatMetric(value)}`);
    return [`Epoch ${trainer.currentEpoch}: ${progress}`, formatRate(rate), `ETA ${eta}`, ...live, ...last].join(' | ');
  }
}
