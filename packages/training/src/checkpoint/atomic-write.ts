import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Hooks for tests that kill the writer mid-file. */
export interface AtomicWriteHooks {
  /** Called after each chunk reaches the temporary file. */
  afterChunk?(written: number, total: number): void | Promise<void>;
}

/** The temporary sibling a write goes through: hidden, and named so it is never taken for a checkpoint. */
export function temporaryPathFor(path: string): string {
  // Not Math.random: after seedEverything it is the training RNG, whose state checkpoints save.
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
}

/**
 * Writes `chunks` to `path` so that `path` is always either its old content or the whole new
 * content: write a temporary sibling, fsync it, rename it over `path` (atomic on POSIX), then
 * fsync the directory so the rename itself survives a power cut. A process killed at any point
 * leaves at most a stray temporary file, never a half-written `path`.
 */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[], hooks: AtomicWriteHooks = {}): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  const fd = openSync(temporary, 'w');
  try {
    let written = 0;
    for (const chunk of chunks) {
      let offset = 0;
      while (offset < chunk.byteLength) offset += writeSync(fd, chunk, offset, chunk.byteLength - offset);
      written += chunk.byteLength;
      await hooks.afterChunk?.(written, total);
    }
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  fsyncDirectory(dirname(path));
}

function fsyncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot open a directory: the rename is still atomic there.
  }
}
