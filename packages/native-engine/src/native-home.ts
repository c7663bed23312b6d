import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, parse, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable that moves Strata's native engines elsewhere. */
export const NATIVE_DIR_ENV = 'STRATA_NATIVE_DIR';

/** The two engines Strata builds: against a CPU-only TensorFlow, or a CUDA one. */
export type NativeVariant = 'cpu' | 'cuda';

/**
 * The project that holds this package: the folder above the first `node_modules` on the
 * package's real path (an installed copy), or the nearest npm workspace root (this repo).
 * Falls back to the working directory.
 */
export function projectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let real: string;
  try {
    real = realpathSync(from);
  } catch {
    return process.cwd();
  }
  const marker = `${sep}node_modules${sep}`;
  const at = real.indexOf(marker);
  if (at >= 0) return real.slice(0, at);
  for (let dir = real; dir !== parse(dir).root; dir = dirname(dir)) {
    if (isWorkspaceRoot(join(dir, 'package.json'))) return dir;
  }
  return process.cwd();
}

/**
 * Where Strata keeps its native engines: `STRATA_NATIVE_DIR`, else `<project>/.strata/native`.
 *
 * @example
 * nativeHome(); // '/work/app/.strata/native'
 */
export function nativeHome(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env[NATIVE_DIR_ENV];
  if (explicit !== undefined && explicit !== '') return explicit;
  return join(projectRoot(), '.strata', 'native');
}

/** The folder of one built engine. */
export function engineDir(variant: NativeVariant, home: string = nativeHome()): string {
  return join(home, variant);
}

function isWorkspaceRoot(packageJson: string): boolean {
  if (!existsSync(packageJson)) return false;
  try {
    return Array.isArray((JSON.parse(readFileSync(packageJson, 'utf8')) as { workspaces?: unknown }).workspaces);
  } catch {
    return false;
  }
}
