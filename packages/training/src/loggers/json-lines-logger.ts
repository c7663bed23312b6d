import type { Hyperparameters } from '../logging-types.js';
import { appendText, joinLogPath, requireLogFiles } from './log-files.js';
import { Logger, type LoggerOptions } from './logger.js';

/**
 * Appends one JSON object per line to `metrics.jsonl`: `{"hparams": {...}}` once, then
 * `{"step": n, "time": unixSeconds, ...metrics}` per log call. Easy to tail and to load anywhere.
 *
 * @example new Trainer({ logger: [new CsvLogger(), new JsonLinesLogger()] })
 */
export class JsonLinesLogger extends Logger {
  readonly kind = 'jsonl';
  private pending: string[] = [];

  constructor(options: LoggerOptions = {}) {
    super(options);
    requireLogFiles('JsonLinesLogger');
  }

  logHyperparams(hparams: Hyperparameters): void {
    this.pending.push(JSON.stringify({ hparams }));
    this.save();
  }

  logMetrics(metrics: Readonly<Record<string, number>>, step: number): void {
    // JSON has no NaN or Infinity: write them as strings rather than as null.
    const clean = Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)]));
    this.pending.push(JSON.stringify({ step, time: Date.now() / 1000, ...clean }));
  }

  override save(): void {
    if (this.pending.length === 0) return;
    appendText(joinLogPath(this.logDir, 'metrics.jsonl'), `${this.pending.join('\n')}\n`);
    this.pending = [];
  }
}
