import type { Hyperparameters } from '../logging-types.js';
import { joinLogPath, replaceText, requireLogFiles, writeText } from './log-files.js';
import { Logger, type LoggerOptions } from './logger.js';

/**
 * Writes `metrics.csv` (one row per log call, columns `step` then every metric seen so far,
 * empty where a row lacks one) and `hparams.yaml`, as Lightning's CSVLogger.
 *
 * @example new Trainer({ logger: new CsvLogger({ saveDir: 'runs' }) })
 */
export class CsvLogger extends Logger {
  readonly kind = 'csv';
  private readonly rows: Record<string, number>[] = [];
  private readonly columns: string[] = ['step'];

  constructor(options: LoggerOptions = {}) {
    super(options);
    requireLogFiles('CsvLogger');
  }

  logHyperparams(hparams: Hyperparameters): void {
    const lines = Object.entries(hparams).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    writeText(joinLogPath(this.logDir, 'hparams.yaml'), lines.length > 0 ? `${lines.join('\n')}\n` : '{}\n');
  }

  logMetrics(metrics: Readonly<Record<string, number>>, step: number): void {
    for (const key of Object.keys(metrics)) if (!this.columns.includes(key)) this.columns.push(key);
    this.rows.push({ step, ...metrics });
  }

  /** Rewrites the whole file (new columns may have appeared), through a rename so readers never see half a file. */
  override save(): void {
    const lines = [this.columns.join(',')];
    for (const row of this.rows) lines.push(this.columns.map((c) => (row[c] === undefined ? '' : String(row[c]))).join(','));
    replaceText(joinLogPath(this.logDir, 'metrics.csv'), `${lines.join('\n')}\n`);
  }
}
