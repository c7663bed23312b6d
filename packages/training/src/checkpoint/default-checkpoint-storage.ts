import type { CheckpointStorage } from './checkpoint-storage.js';
import { NodeCheckpointStorage } from './node-checkpoint-storage.js';

let shared: CheckpointStorage | undefined;

/**
 * The storage checkpoints use when none is given: the one place that chooses it for the
 * platform. On Node it is the local file system.
 */
export function defaultCheckpointStorage(): CheckpointStorage {
  shared ??= new NodeCheckpointStorage();
  return shared;
}
