import type { Callback, EpochMetrics, TrainerView } from '../callback.js';

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
  /** A clock in milliseconds (tests inject one). */
  readonly now?: () => number;
}

/**
 * The progress display: a live bar on a TTY, and periodic plain lines otherwise (logs, CI),
 * each with steps/s (training batches per second) and the epoch's ETA, then one line per epoch
 * with its metrics. Numbers shown are the last ones read (at the previous epoch end): the bar
 * never reads a tensor.
 *
 * @example new Trainer({ callbacks: [new ProgressBar({ printEverySeconds: 10 })] })
 */
export class ProgressBar implements Callback {
  private readonly stream: ProgressStream;
  private readonly printEvery: number;
  private readonly refresh: number;
  private readonly now: () => number;
  private epochStart = 0;
  private lastDraw = 0;
  private drewLive = false;

  constructor(options: ProgressBarOptions = {}) {
    // In a browser there is no process.stdout: lines go to the console.
    this.stream = options.stream ?? (typeof process !== 'undefined' && process.stdout ? process.stdout : { write: (t: string) => console.log(t.replace(/^\r|\n$/g, '')) });
    this.printEvery = (options.printEverySeconds ?? 30) * 1000;
    this.refresh = (options.refreshSeconds ?? 0.1) * 1000;
    this.now = options.now ?? (() => performance.now());
  }

  onTrainEpochStart(): void {
    this.epochStart = this.lastDraw = this.now();
  }

  onTrainBatchEnd(trainer: TrainerView, _module: unknown, batchIndex: number): void {
    const now = this.now();
    const live = this.stream.isTTY === true;
    if (now - this.lastDraw < (live ? this.refresh : this.printEvery)) return;
    this.lastDraw = now;
    const line = this.describe(trainer, batchIndex + 1, now);
    if (live) {
      const width = this.stream.columns ?? 100;
      this.stream.write(`\r${line.slice(0, width - 1).padEnd(width - 1)}`);
      this.drewLive = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  onTrainEpochEnd(trainer: TrainerView, _module: unknown, metrics: EpochMetrics): void {
    if (this.drewLive) this.stream.write('\r\x1b[K');
    this.drewLive = false;
    const seconds = (this.now() - this.epochStart) / 1000;
    const parts = Object.entries(metrics)
      .filter(([name]) => trainer.progBarNames.has(name))
      .map(([name, value]) => `${name}: ${formatMetric(value)}`);
    this.stream.write(`${[`Epoch ${trainer.currentEpoch}`, ...parts, `${seconds.toFixed(1)}s`].join(' | ')}\n`);
  }

  /** One status line: epoch, batches done, a bar, steps/s, ETA, and the last metrics read. */
  describe(trainer: TrainerView, done: number, now: number): string {
    const total = trainer.numTrainingBatches;
    const elapsed = Math.max(now - this.epochStart, 1e-3) / 1000;
    const rate = done / elapsed;
    const known = Number.isFinite(total);
    const eta = known ? formatDuration(Math.max(0, total - done) / rate) : '?';
    const width = 20;
    const filled = known ? Math.round((width * done) / total) : 0;
    const bar = known ? `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]` : '';
    const metrics = Object.entries(trainer.callbackMetrics)
      .filter(([name]) => trainer.progBarNames.has(name))
      .map(([name, value]) => `${name}: ${formatMetric(value)}`);
    return [`Epoch ${trainer.currentEpoch}: ${done}/${known ? total : '?'} ${bar}`.trimEnd(), `${rate.toFixed(2)} steps/s`, `ETA ${eta}`, ...metrics].join(' | ');
  }
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function formatMetric(value: number): string {
  return Math.abs(value) >= 1000 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(3) : value.toFixed(4);
}
