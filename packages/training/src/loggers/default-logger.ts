import { CsvLogger } from './csv-logger.js';
import type { Logger } from './logger.js';

/** The logger `logger: true` makes on Node: a CSV file under the Trainer's root folder. */
export function defaultLogger(root: string): Logger {
  return new CsvLogger({ saveDir: root });
}
