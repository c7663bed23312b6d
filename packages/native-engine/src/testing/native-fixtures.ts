// Shared by this package's tests (not part of the build's public API).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { projectRoot } from '../native-home.js';
import { pythonTensorflowDir } from '../tensorflow-locator.js';

/** The project's Python, when setup has made it. */
export const venvPython = join(projectRoot(), '.venv', 'bin', 'python');

/** The tensorflow/ folder of the project's .venv, or the reason there is none (a skip reason). */
export function venvTensorflow(): { dir: string } | { skip: string } {
  if (!existsSync(venvPython)) return { skip: 'no .venv (run bash scripts/setup.sh)' };
  const dir = pythonTensorflowDir(venvPython);
  if (typeof dir !== 'string') return { skip: `.venv has no tensorflow: ${dir.why}` };
  return { dir };
}

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Writes files (relative path -> content) under `root`. */
export function writeTree(root: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
