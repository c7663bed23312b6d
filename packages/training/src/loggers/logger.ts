import type { Hyperparameters } from '../logging-types.js';
import { joinLogPath, listDirectory, makeDirectory, workingDirectory } from './log-files.js';

export interface LoggerOptions {
  /** Parent directory (default: the Trainer's defaultRootDir, else the working directory). */
  readonly saveDir?: string;
  /** Experiment name, a folder under saveDir (default 'strata_logs'). */
  readonly name?: string;
  /** Version folder: a number gives version_N, a string is used as is. Default: the next free version_N. */
  readonly version?: number | string;
}

/**
 * Where metrics go, as Lightning's `Logger`: a folder `saveDir/name/version_N` holding the
 * logger's files. Metrics arrive as plain numbers, already read from the devices.
 */
export abstract class Logger {
  abstract readonly kind: string;
  private saveDir: string | undefined;
  private readonly name: string;
  private version: number | string | undefined;
  private dir: string | undefined;

  constructor(options: LoggerOptions = {}) {
    this.saveDir = options.saveDir;
    this.name = options.name ?? 'strata_logs';
    this.version = options.version;
  }

  /** Called by the Trainer: the root used when `saveDir` was not given. */
  setDefaultRootDir(root: string): void {
    if (this.dir === undefined) this.saveDir ??= root;
  }

  /**
   * The folder of this run (created on first use). A logger that writes no files names it
   * without creating it or looking for a free version (version 0 unless given), so the path
   * stays the same from run to run (a page reload finds the checkpoints under it again).
   */
  get logDir(): string {
    if (this.dir === undefined) {
      const parent = joinLogPath(this.saveDir ?? workingDirectory(), this.name);
      if (this.version === undefined) this.version = this.writesFiles ? nextVersion(parent) : 0;
      this.dir = joinLogPath(parent, typeof this.version === 'number' ? `version_${this.version}` : this.version);
      if (this.writesFiles) makeDirectory(this.dir);
    }
    return this.dir;
  }

  /** Whether this logger writes files under `logDir` (false for loggers that keep rows in memory). */
  protected get writesFiles(): boolean {
    return true;
  }

  abstract logHyperparams(hparams: Hyperparameters): void | Promise<void>;
  /** Records `metrics` at optimizer step `step`. */
  abstract logMetrics(metrics: Readonly<Record<string, number>>, step: number): void | Promise<void>;
  /** Flushes to disk. */
  save(): void | Promise<void> {}
  /** Flushes and closes at the end of a run. */
  finalize(_status: 'success' | 'failed'): void | Promise<void> {
    return this.save();
  }
}

/** The next free version number under `parent` (0 when none). */
export function nextVersion(parent: string): number {
  let entries: string[];
  try {
    entries = listDirectory(parent);
  } catch {
    return 0;
  }
  const used = entries.map((e) => /^version_(\d+)$/.exec(e)).filter((m) => m !== null).map((m) => Number(m[1]));
  return used.length === 0 ? 0 : Math.max(...used) + 1;
}
