import { StrataError, errorReason } from '@strata/core';
import type { CheckpointStorage, CheckpointWriteHooks } from './checkpoint-storage.js';
import { IndexedDbCheckpointStorage } from './indexeddb-checkpoint-storage.js';
import { OpfsCheckpointStorage, opfsRoot } from './opfs-checkpoint-storage.js';

/** Which browser storage holds the checkpoints. */
export type BrowserStorageKind = 'opfs' | 'indexeddb';

/**
 * Checkpoint files in a browser: in the origin private file system (OPFS) where the browser
 * has it with writable streams, else in IndexedDB. The choice is made at the first use and
 * kept; `kind()` says which it is. Files stay across page reloads, so training resumes from the
 * last checkpoint after one.
 *
 * @example
 * const storage = new BrowserCheckpointStorage();
 * console.log(await storage.kind(), await storage.list('checkpoints'));
 */
export class BrowserCheckpointStorage implements CheckpointStorage {
  private chosen: Promise<{ kind: BrowserStorageKind; storage: CheckpointStorage }> | undefined;

  /** `prefer`: force one storage (default: OPFS where it works, else IndexedDB). */
  constructor(private readonly prefer?: BrowserStorageKind) {}

  /** The storage in use: 'opfs' or 'indexeddb'. */
  async kind(): Promise<BrowserStorageKind> {
    return (await this.choose()).kind;
  }

  async writeAtomic(path: string, chunks: readonly Uint8Array[], hooks?: CheckpointWriteHooks): Promise<void> {
    return (await this.choose()).storage.writeAtomic(path, chunks, hooks);
  }

  async read(path: string): Promise<Uint8Array> {
    return (await this.choose()).storage.read(path);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.choose()).storage.exists(path);
  }

  async remove(path: string): Promise<void> {
    return (await this.choose()).storage.remove(path);
  }

  async list(dir: string): Promise<string[]> {
    return (await this.choose()).storage.list(dir);
  }

  async removeStaleTemporaries(dir: string): Promise<string[]> {
    return (await this.choose()).storage.removeStaleTemporaries(dir);
  }

  private choose(): Promise<{ kind: BrowserStorageKind; storage: CheckpointStorage }> {
    this.chosen ??= (async () => {
      let opfsProblem = 'not tried';
      if (this.prefer !== 'indexeddb') {
        try {
          const root = await opfsRoot();
          // Safari's OPFS long lacked writable streams on the main thread: then IndexedDB.
          const probe = await root.getFileHandle('.strata-storage-probe', { create: true });
          if (typeof probe.createWritable === 'function') return { kind: 'opfs' as const, storage: new OpfsCheckpointStorage(async () => root) };
          opfsProblem = 'its file handles have no createWritable';
        } catch (error) {
          opfsProblem = errorReason(error);
        }
        if (this.prefer === 'opfs') throw unavailable(`the origin private file system cannot be used (${opfsProblem})`);
      }
      if (typeof indexedDB === 'undefined') throw unavailable(`neither the origin private file system (${opfsProblem}) nor IndexedDB is available`);
      return { kind: 'indexeddb' as const, storage: new IndexedDbCheckpointStorage() };
    })();
    this.chosen.catch(() => (this.chosen = undefined));
    return this.chosen;
  }
}

function unavailable(why: string): StrataError {
  return new StrataError('unsupported-option', `Checkpoints cannot be stored in this browser: ${why}.`, {
    value: why,
    fix: 'allow site storage for this page (private windows may block it), or pass enableCheckpointing: false to the Trainer.',
  });
}
