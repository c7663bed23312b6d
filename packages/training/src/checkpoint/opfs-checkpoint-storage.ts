import type { CheckpointStorage, CheckpointWriteHooks } from './checkpoint-storage.js';
import { missingFile, storageParts } from './storage-key.js';

/** The part of the File System API's directory handle that this storage uses. */
export interface OpfsDirectory {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OpfsDirectory>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<OpfsFile>;
  removeEntry(name: string, options?: { recursive?: boolean }): Promise<void>;
  keys(): AsyncIterableIterator<string>;
}

/** The part of a file handle that this storage uses. */
export interface OpfsFile {
  getFile(): Promise<Blob>;
  createWritable(options?: { keepExistingData?: boolean }): Promise<OpfsWritable>;
}

export interface OpfsWritable {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Checkpoint files in the origin private file system (OPFS, `navigator.storage.getDirectory()`),
 * paths as folders and files under its root. A write goes through the file's writable stream,
 * whose data replaces the file only when the stream closes: a tab closed mid-write leaves the
 * old checkpoint whole, and the browser discards the unfinished data itself (so there are never
 * temporaries to clean).
 */
export class OpfsCheckpointStorage implements CheckpointStorage {
  /** `root`: the storage's root folder (default: the origin's private file system). */
  constructor(private readonly root: () => Promise<OpfsDirectory> = opfsRoot) {}

  async writeAtomic(path: string, chunks: readonly Uint8Array[], hooks: CheckpointWriteHooks = {}): Promise<void> {
    const { dir, name } = await this.locate(path, true);
    const writable = await (await dir!.getFileHandle(name, { create: true })).createWritable({ keepExistingData: false });
    const total = chunks.reduce((n, c) => n + c.byteLength, 0);
    let written = 0;
    try {
      for (const chunk of chunks) {
        await writable.write(chunk);
        written += chunk.byteLength;
        await hooks.afterChunk?.(written, total);
      }
    } catch (error) {
      await writable.abort();
      throw error;
    }
    await writable.close();
  }

  async read(path: string): Promise<Uint8Array> {
    const file = await this.fileHandle(path);
    if (file === undefined) throw missingFile(path, "the origin's private file system");
    return new Uint8Array(await (await file.getFile()).arrayBuffer());
  }

  async exists(path: string): Promise<boolean> {
    return (await this.fileHandle(path)) !== undefined;
  }

  async remove(path: string): Promise<void> {
    const { dir, name } = await this.locate(path, false);
    if (dir === undefined) return;
    try {
      await dir.removeEntry(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async list(path: string): Promise<string[]> {
    const dir = await this.directory(storageParts(path), false);
    if (dir === undefined) return [];
    const names: string[] = [];
    for await (const name of dir.keys()) names.push(name);
    return names.sort();
  }

  async removeStaleTemporaries(_dir: string): Promise<string[]> {
    return [];
  }

  private async fileHandle(path: string): Promise<OpfsFile | undefined> {
    const { dir, name } = await this.locate(path, false);
    if (dir === undefined) return undefined;
    try {
      return await dir.getFileHandle(name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The folder holding `path` (undefined when it does not exist and `create` is false) and the file's name. */
  private async locate(path: string, create: boolean): Promise<{ dir: OpfsDirectory | undefined; name: string }> {
    const parts = storageParts(path);
    const name = parts.pop();
    if (name === undefined) throw missingFile(path, "the origin's private file system");
    return { dir: await this.directory(parts, create), name };
  }

  private async directory(parts: readonly string[], create: boolean): Promise<OpfsDirectory | undefined> {
    let dir = await this.root();
    for (const part of parts) {
      try {
        dir = await dir.getDirectoryHandle(part, { create });
      } catch (error) {
        if (!create && isNotFound(error)) return undefined;
        throw error;
      }
    }
    return dir;
  }
}

/** The origin's private file system root; rejects where the browser has none. */
export async function opfsRoot(): Promise<OpfsDirectory> {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: () => Promise<unknown> } } }).navigator?.storage;
  if (typeof storage?.getDirectory !== 'function') throw new Error('this browser has no origin private file system (navigator.storage.getDirectory)');
  return (await storage.getDirectory()) as OpfsDirectory;
}

/** NotFoundError, and TypeMismatchError (a file where a folder is asked for, or the reverse): no such entry. */
function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NotFoundError' || name === 'TypeMismatchError';
}
