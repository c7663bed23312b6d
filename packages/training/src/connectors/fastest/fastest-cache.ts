import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../checkpoint/atomic-write.js';
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
 * The picks of `strategy: 'fastest'`, one JSON file in Strata's cache folder, an entry per key
 * id. A file that cannot be read or parsed is ignored with a warning (and replaced by the next
 * write); a cache that cannot be written costs a measurement next time, never the run.
 */
export class FastestCache {
  readonly path: string;

  constructor(
    dir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.path = join(dir, FASTEST_CACHE_FILE);
  }

  /** The entry for `id`, if the file holds a valid one. */
  lookup(id: string): FastestCacheEntry | undefined {
    const entry = this.read().entries[id];
    return entry !== undefined && isEntry(entry) ? entry : undefined;
  }

  /** Adds or replaces the entry for `id`, keeping the others. */
  async store(id: string, entry: FastestCacheEntry): Promise<void> {
    const file: CacheFile = { format: FORMAT, entries: { ...this.read(false).entries, [id]: entry } };
    try {
      await writeFileAtomic(this.path, [new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`)]);
    } catch (error) {
      this.warn(`Strata: could not write the strategy cache ${this.path} (${(error as Error).message}); 'fastest' measures again next run.`);
    }
  }

  private read(warn = true): CacheFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && warn) this.ignore(`it cannot be read: ${(error as Error).message}`);
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
