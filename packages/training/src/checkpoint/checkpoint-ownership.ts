import type { CheckpointStorage } from './checkpoint-storage.js';
import { baseNameOf, isDirectlyIn, joinPath } from './storage-path.js';

/** The files a `ModelCheckpoint` ranks (path to score) and the best of them. */
export interface RankedCheckpoints {
  readonly bestKModels: Record<string, number>;
  readonly lastModelPath: string;
}

/** What `adoptRestoredCheckpoints` kept, moved into the directory, and let go. */
export interface AdoptedCheckpoints extends RankedCheckpoints {
  /** Paths of the restored state outside `dir` with no copy in it: never ranked, never removed. */
  readonly foreign: string[];
}

/**
 * The checkpoints of a restored `ModelCheckpoint` state that the callback may rank and prune in
 * its own directory `dir`: a path directly in `dir` that still exists is kept; a path elsewhere
 * whose file was copied into `dir` under the same name (a run directory copied and resumed
 * there) becomes that copy; anything else (the original run's files, files gone since) leaves
 * the bookkeeping, so the callback never removes a file outside `dir` and never names a missing one.
 */
export async function adoptRestoredCheckpoints(state: RankedCheckpoints, dir: string, storage: CheckpointStorage): Promise<AdoptedCheckpoints> {
  const bestKModels: Record<string, number> = {};
  const foreign: string[] = [];
  for (const [path, score] of Object.entries(state.bestKModels)) {
    const own = await ownCopy(path, dir, storage);
    if (own !== undefined) bestKModels[own] = score;
    else if (!isDirectlyIn(path, dir)) foreign.push(path);
  }
  const lastModelPath = state.lastModelPath ? ((await ownCopy(state.lastModelPath, dir, storage)) ?? '') : '';
  return { bestKModels, lastModelPath, foreign };
}

/** `path` itself when it lies in `dir` and exists, else its same-named copy in `dir` when that exists. */
export async function ownCopy(path: string, dir: string, storage: CheckpointStorage): Promise<string | undefined> {
  const candidate = isDirectlyIn(path, dir) ? path : joinPath(dir, baseNameOf(path));
  return (await storage.exists(candidate)) ? candidate : undefined;
}

/** Removes `path` when it is a checkpoint directly in `dir`; anything else is left alone and reported false. */
export async function removeOwnCheckpoint(path: string, dir: string, storage: CheckpointStorage, extension: string): Promise<boolean> {
  if (!isDirectlyIn(path, dir) || !baseNameOf(path).endsWith(extension)) return false;
  await storage.remove(path);
  return true;
}
