import type { CheckpointStorage } from '../../checkpoint/checkpoint-storage.js';
import { defaultCheckpointStorage } from '../../checkpoint/default-checkpoint-storage.js';
import { joinPath } from '../../checkpoint/storage-path.js';
import type { FastestKey } from './fastest-key.js';
import type { MeasuredStrategy } from './fastest-report.js';

/** One cached pick: the strategy, the key it holds for, and the measurement that chose it. */
export interface FastestCacheEntry {
  readonly strategy: string;
  readonly key: FastestKey;
  readonly measured: readonly MeasuredStrategy[];
  readonly measuredAt: string;
}

interface CacheFile {
  readonly format: typeof FORMAT;
  readonly entries: Record<string, FastestCacheEntry>;
}

const FORMAT = 'strata-fastest-strategy/1';
export const FASTEST_CACHE_FILE = 'fastest-strategy.json';

/**
 * The picks of `strategy: 'fastest'`, one JSON file in Strata's cache folder (through the
 * checkpoints' storage: the file system on Node, the origin's private storage in a browser), an
 * entry per key id. A file that cannot be read or parsed is ignored with a warning (and replaced by the next
 * write); a cache that cannot be written costs a measurement next time, never the run.
 */
export class FastestCache {
  readonly path: string;

  constructor(
    dir: string,
    private readonly warn: (message: string) => void,
    private readonly storage: CheckpointStorage = defaultCheckpointStorage(),
  ) {
    this.path = joinPath(dir, FASTEST_CACHE_FILE);
  }

  /** The entry for `id`, if the file holds a valid one. */
  async lookup(id: string): Promise<FastestCacheEntry | undefined> {
    const entry = (await this.read()).entries[id];
    return entry !== undefined && isEntry(entry) ? entry : undefined;
  }

  /** Adds or replaces the entry for `id`, keeping the others. */
  async store(id: string, entry: FastestCacheEntry): Promise<void> {
    const file: CacheFile = { format: FORMAT, entries: { ...(await this.read(false)).entries, [id]: entry } };
    try {
      await this.storage.writeAtomic(this.path, [new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`)]);
    } catch (error) {
      this.warn(`Strata: could not write the strategy cache ${this.path} (${(error as Error).message}); 'fastest' measures again next run.`);
    }
  }

  private async read(warn = true): Promise<CacheFile> {
    let text: string;
    try {
      if (!(await this.storage.exists(this.path))) return { format: FORMAT, entries: {} };
      text = new TextDecoder().decode(await this.storage.read(this.path));
    } catch (error) {
      if (warn) this.ignore(`it cannot be read: ${(error as Error).message}`);
      return { format: FORMAT, entries: {} };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      if (warn) this.ignore(`it is not JSON (${(error as Error).message})`);
      return { format: FORMAT, entries: {} };
    }
    const file = parsed as Partial<CacheFile> | null;
    if (typeof file !== 'object' || file === null || file.format !== FORMAT || typeof file.entries !== 'object' || file.entries === null) {
      if (warn) this.ignore(`it is not a ${FORMAT} file`);
      return { format: FORMAT, entries: {} };
    }
    return file as CacheFile;
  }

  private ignore(why: string): void {
    this.warn(`Strata: ignoring the strategy cache ${this.path}: ${why}. 'fastest' measures again and rewrites it.`);
  }
}

function isEntry(value: unknown): value is FastestCacheEntry {
  const entry = value as Partial<FastestCacheEntry> | null;
  return typeof entry === 'object' && entry !== null && typeof entry.strategy === 'string' && Array.isArray(entry.measured);
}
