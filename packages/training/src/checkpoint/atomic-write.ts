import type { CheckpointStorage, CheckpointWriteHooks } from './checkpoint-storage.js';
import { defaultCheckpointStorage } from './default-checkpoint-storage.js';

/** Hooks for tests that kill the writer mid-file. */
export type AtomicWriteHooks = CheckpointWriteHooks;

/**
 * Writes `chunks` to `path` so that `path` is always either its old content or the whole new
 * content (see `CheckpointStorage.writeAtomic`), through `storage` (default: the platform's).
 */
export async function writeFileAtomic(
  path: string,
  chunks: readonly Uint8Array[],
  hooks: AtomicWriteHooks = {},
  storage: CheckpointStorage = defaultCheckpointStorage(),
): Promise<void> {
  await storage.writeAtomic(path, chunks, hooks);
}
