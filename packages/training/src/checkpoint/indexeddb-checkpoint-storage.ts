import type { CheckpointStorage, CheckpointWriteHooks } from './checkpoint-storage.js';
import { missingFile, storageParts } from './storage-key.js';

const STORE = 'files';

/**
 * Checkpoint files in IndexedDB, for browsers without the origin private file system: one
 * record per file, keyed by its path ('/'-joined parts). A record is put whole in one
 * transaction, which IndexedDB commits entirely or not at all: a tab closed mid-write leaves the
 * old checkpoint, and there are no temporaries.
 */
export class IndexedDbCheckpointStorage implements CheckpointStorage {
  private database: Promise<IDBDatabase> | undefined;

  /** `name`: the IndexedDB database (default 'strata-checkpoints'). */
  constructor(
    readonly name = 'strata-checkpoints',
    private readonly factory: () => IDBFactory = defaultFactory,
  ) {}

  async writeAtomic(path: string, chunks: readonly Uint8Array[], hooks: CheckpointWriteHooks = {}): Promise<void> {
    const key = fileKey(path);
    const total = chunks.reduce((n, c) => n + c.byteLength, 0);
    const bytes = new Uint8Array(total);
    let written = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, written);
      written += chunk.byteLength;
      await hooks.afterChunk?.(written, total);
    }
    await this.request('readwrite', (store) => store.put(bytes, key));
  }

  async read(path: string): Promise<Uint8Array> {
    const value = await this.request('readonly', (store) => store.get(fileKey(path)));
    if (!(value instanceof Uint8Array)) throw missingFile(path, `IndexedDB database ${JSON.stringify(this.name)}`);
    return value;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.request('readonly', (store) => store.count(fileKey(path)))) > 0;
  }

  async remove(path: string): Promise<void> {
    await this.request('readwrite', (store) => store.delete(fileKey(path)));
  }

  async list(dir: string): Promise<string[]> {
    const parts = storageParts(dir);
    const prefix = parts.length === 0 ? '' : `${parts.join('/')}/`;
    // Every key under the prefix: '\uffff' sorts after any character a path holds.
    const range = prefix === '' ? undefined : IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const keys = await this.request('readonly', (store) => store.getAllKeys(range));
    const names = new Set<string>();
    for (const key of keys) names.add(String(key).slice(prefix.length).split('/')[0]);
    return [...names].sort();
  }

  async removeStaleTemporaries(_dir: string): Promise<string[]> {
    return [];
  }

  private open(): Promise<IDBDatabase> {
    this.database ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = this.factory().open(this.name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error(`IndexedDB database ${JSON.stringify(this.name)} could not be opened`));
      request.onblocked = () => reject(new Error(`IndexedDB database ${JSON.stringify(this.name)} is blocked by another tab holding an older version`));
    });
    this.database.catch(() => (this.database = undefined));
    return this.database;
  }

  /** Runs one request in its own transaction; resolves with its result once the transaction has committed. */
  private async request<T>(mode: IDBTransactionMode, make: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.open();
    return new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = make(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? request.error);
      transaction.onabort = () => reject(transaction.error ?? new Error('the IndexedDB transaction was aborted'));
    });
  }
}

/** The key of a file: its path's parts joined by '/'. */
function fileKey(path: string): string {
  const parts = storageParts(path);
  if (parts.length === 0) throw missingFile(path, 'IndexedDB');
  return parts.join('/');
}

function defaultFactory(): IDBFactory {
  if (typeof indexedDB === 'undefined') throw new Error('this JavaScript environment has no IndexedDB');
  return indexedDB;
}
