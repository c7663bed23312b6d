import { BrowserCheckpointStorage } from './browser-checkpoint-storage.js';
import type { CheckpointStorage } from './checkpoint-storage.js';

let shared: CheckpointStorage | undefined;

/**
 * The storage checkpoints use when none is given, in a browser build: the origin private file
 * system, or IndexedDB where the browser lacks it.
 */
export function defaultCheckpointStorage(): CheckpointStorage {
  shared ??= new BrowserCheckpointStorage();
  return shared;
}
