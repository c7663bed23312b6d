import type { Hyperparameters } from '../logging-types.js';
import { Logger, type LoggerOptions } from './logger.js';

/** One row a logger receives: the optimizer step and the metrics logged at it, as numbers. */
export interface LoggedRow {
  readonly step: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Where `InPageLogger` prints when `console` is on: `console` by default. */
export interface LogConsole {
  log(...data: unknown[]): void;
}

export interface InPageLoggerOptions extends LoggerOptions {
  /** Called with every row of metrics the Trainer logs (e.g. to draw a chart). */
  readonly onMetrics?: (row: LoggedRow) => void;
  /** Called with the module's hyperparameters when a fit starts. */
  readonly onHyperparams?: (hparams: Hyperparameters) => void;
  /** Called when a run ends, with how it ended. */
  readonly onFinalize?: (status: 'success' | 'failed') => void;
  /** Also print each row and the hyperparameters: true for the global `console`, or a console of its own. Default false. */
  readonly console?: boolean | LogConsole;
}

/**
 * A logger that writes no files: it keeps every row in `rows` and the hyperparameters in
 * `hyperparams`, hands each to the callbacks given, and prints them on the console when asked.
 * It runs in Node and in a browser page alike, where it is the Trainer's default logger and
 * the one to use for a live chart.
 *
 * @example
 * const logger = new InPageLogger({ onMetrics: ({ step, metrics }) => chart.add(step, metrics.train_loss_step) });
 * new Trainer({ logger: [logger] });
 */
export class InPageLogger extends Logger {
  readonly kind = 'in-page';
  /** Every row logged so far, in order. */
  readonly rows: LoggedRow[] = [];
  /** The hyperparameters logged last, if any. */
  hyperparams: Hyperparameters | undefined;
  private readonly options: InPageLoggerOptions;

  constructor(options: InPageLoggerOptions = {}) {
    super(options);
    this.options = options;
  }

  protected override get writesFiles(): boolean {
    return false;
  }

  logHyperparams(hparams: Hyperparameters): void {
    this.hyperparams = { ...hparams };
    this.console()?.log('hyperparameters', this.hyperparams);
    this.options.onHyperparams?.(this.hyperparams);
  }

  logMetrics(metrics: Readonly<Record<string, number>>, step: number): void {
    const row: LoggedRow = { step, metrics: { ...metrics } };
    this.rows.push(row);
    this.console()?.log(`step ${step}`, row.metrics);
    this.options.onMetrics?.(row);
  }

  override finalize(status: 'success' | 'failed'): void {
    this.options.onFinalize?.(status);
  }

  private console(): LogConsole | undefined {
    const option = this.options.console;
    return option === true ? console : option === false || option === undefined ? undefined : option;
  }
}
