import { InPageLogger } from './in-page-logger.js';
import type { Logger } from './logger.js';

/**
 * The logger `logger: true` makes in a browser, where no file can be written: an
 * `InPageLogger` that keeps the rows in memory (rooted at `root`, where checkpoints follow it).
 */
export function defaultLogger(root: string): Logger {
  return new InPageLogger({ saveDir: root });
}
