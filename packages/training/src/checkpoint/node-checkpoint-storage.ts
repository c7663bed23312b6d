import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CheckpointStorage, CheckpointWriteHooks } from './checkpoint-storage.js';

/** `.NAME.tmp-PID-XXXXXXXX`: the temporary sibling a write of NAME goes through, and its writer's process id. */
const TEMPORARY = /^\.(.+)\.tmp-(\d+)-([0-9a-f]{8})$/;

/** The temporary sibling a write goes through: hidden, and named so it is never taken for a checkpoint. */
export function temporaryPathFor(path: string): string {
  // Not Math.random: after seedEverything it is the training RNG, whose state checkpoints save.
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
}

/** The process id that wrote the temporary file `name`, or undefined when `name` is no such file. */
export function temporaryWriterPid(name: string): number | undefined {
  const match = TEMPORARY.exec(name);
  return match ? Number(match[2]) : undefined;
}

/**
 * Checkpoint files on the local file system (node:fs). A write goes to a temporary sibling,
 * is fsynced, renamed over the target (atomic on POSIX), and the directory is fsynced so that
 * the rename itself survives a power cut: a process killed at any point leaves at most a stray
 * temporary file, never a half-written checkpoint. `removeStaleTemporaries` clears the strays
 * whose writer process is gone.
 */
export class NodeCheckpointStorage implements CheckpointStorage {
  async writeAtomic(path: string, chunks: readonly Uint8Array[], hooks: CheckpointWriteHooks = {}): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const temporary = temporaryPathFor(path);
    const total = chunks.reduce((n, c) => n + c.byteLength, 0);
    const handle = await open(temporary, 'w');
    try {
      let written = 0;
      for (const chunk of chunks) {
        let offset = 0;
        while (offset < chunk.byteLength) offset += (await handle.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
        written += chunk.byteLength;
        await hooks.afterChunk?.(written, total);
      }
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, path);
    await fsyncDirectory(dirname(path));
  }

  async read(path: string): Promise<Uint8Array> {
    return readFile(path);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw error;
    }
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw error;
    }
  }

  /** Removes the temporary files in `dir` whose writer process no longer runs; a live writer's are left to it. */
  async removeStaleTemporaries(dir: string): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await this.list(dir)) {
      const pid = temporaryWriterPid(name);
      if (pid === undefined || processRuns(pid)) continue;
      await rm(join(dir, name), { force: true });
      removed.push(name);
    }
    return removed;
  }
}

/** Whether a process with id `pid` runs (signal 0 checks without sending anything). */
function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory: the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}
