import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError, quote } from '@strata/core';
import { projectRoot } from './native-home.js';
import { inspectTensorflowDir, type TensorflowLibraries } from './tensorflow-libraries.js';

/** The environment variable naming a TensorFlow library folder to build against. */
export const LIBTENSORFLOW_DIR_ENV = 'LIBTENSORFLOW_DIR';

export interface LocateOptions {
  /** An explicit folder: a wheel's tensorflow/ folder or an unpacked libtensorflow archive. */
  readonly libtensorflow?: string;
  /** A Python interpreter whose environment has `tensorflow` or `tensorflow-cpu` installed. */
  readonly python?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Finds the TensorFlow libraries to build the native engine against, in this order: an
 * explicit folder, `LIBTENSORFLOW_DIR`, the `tensorflow` package of a given Python, then of the
 * project's `.venv`, then of `python3` on the PATH.
 *
 * @example
 * locateTensorflow({ python: '.venv/bin/python' }).ccLibrary; // '.../tensorflow/libtensorflow_cc.so.2'
 */
export function locateTensorflow(options: LocateOptions = {}): TensorflowLibraries {
  const env = options.env ?? process.env;
  if (options.libtensorflow) return inspectTensorflowDir(options.libtensorflow, 'path');
  const fromEnv = env[LIBTENSORFLOW_DIR_ENV];
  if (fromEnv) return inspectTensorflowDir(fromEnv, LIBTENSORFLOW_DIR_ENV);
  const venvPython = join(projectRoot(), '.venv', 'bin', 'python');
  const pythons = options.python ? [options.python] : [...(existsSync(venvPython) ? [venvPython] : []), 'python3'];
  const tried: string[] = [];
  for (const python of pythons) {
    const found = pythonTensorflowDir(python);
    if (typeof found === 'string') return inspectTensorflowDir(found, `python:${python}`);
    tried.push(`${python}: ${found.why}`);
  }
  throw new StrataError('strategy-unavailable', `No TensorFlow libraries found to build the native engine against (tried ${tried.join('; ')}).`, {
    value: pythons,
    fix: `install the wheel (${quote('python -m pip install tensorflow-cpu==2.21.0')}, or ${quote('tensorflow[and-cuda]')} for CUDA) and pass --python <that python>, or pass --libtensorflow <dir> or set ${LIBTENSORFLOW_DIR_ENV}.`,
  });
}

/** The folder of `tensorflow` in `python`'s environment, found without importing it (fast). */
export function pythonTensorflowDir(python: string): string | { why: string } {
  const script = "import importlib.util,json;s=importlib.util.find_spec('tensorflow');print(json.dumps(list(s.submodule_search_locations or []) if s else []))";
  const result = spawnSync(python, ['-c', script], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) return { why: `not runnable (${result.error.message})` };
  if (result.status !== 0) return { why: `failed (${(result.stderr ?? '').trim().split('\n').pop() ?? ''})` };
  try {
    const dirs = JSON.parse(result.stdout.trim()) as string[];
    return dirs[0] ?? { why: 'has no tensorflow package' };
  } catch {
    return { why: `printed ${quote(result.stdout.trim())}` };
  }
}
