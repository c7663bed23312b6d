import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bench's own folder: the one holding python/peer_worker.py. Found by walking up from this
 * file, so it is the same answer from src/ (tsx), dist/ (tsc) and the single-file bundle.
 */
export function benchRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'python', 'peer_worker.py'))) return dir;
    dir = dirname(dir);
  }
  return resolve(dirname(from), '..');
}

/** The monorepo root when the bench runs from it (it has turbo.json), else undefined (a bundle). */
export function repoRoot(bench: string = benchRoot()): string | undefined {
  const parent = dirname(bench);
  return existsSync(join(parent, 'turbo.json')) ? parent : undefined;
}
