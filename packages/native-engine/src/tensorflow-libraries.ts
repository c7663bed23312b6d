import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StrataError, quote } from '@strata/core';

/** One TensorFlow runtime on disk that the tfjs-node binding can be built against. */
export interface TensorflowLibraries {
  /** The folder holding the libraries. */
  readonly dir: string;
  /** How it was found: 'path', 'LIBTENSORFLOW_DIR' or 'python:<interpreter>'. */
  readonly source: string;
  /** The library with the C and eager C APIs (the wheel's libtensorflow_cc.so.2). */
  readonly ccLibrary: string;
  readonly frameworkLibrary: string;
  /** The folder holding tensorflow/c/c_api.h. */
  readonly includeDir: string;
  /** From the wheel's dist-info, when there is one ('2.21.0'). */
  readonly version?: string;
  /** The PyPI distribution, when known: 'tensorflow-cpu', 'tensorflow'... */
  readonly distribution?: string;
  /** From the wheel's build_info.py; false when unknown. */
  readonly cudaBuild: boolean;
  readonly cudaVersion?: string;
  readonly cudnnVersion?: string;
}

// The two layouts that carry the libraries: the PyPI wheel's tensorflow/ package folder, and
// the libtensorflow C archive (lib/ and include/).
const LAYOUTS = [
  { cc: 'libtensorflow_cc.so.2', framework: 'libtensorflow_framework.so.2', lib: '.' },
  { cc: 'libtensorflow.so.2', framework: 'libtensorflow_framework.so.2', lib: 'lib' },
] as const;

/**
 * Checks that `dir` holds a TensorFlow runtime to build against: a wheel's `tensorflow/`
 * folder, the site-packages folder above it, or an unpacked libtensorflow archive.
 *
 * @example
 * inspectTensorflowDir('.venv/lib/python3.11/site-packages/tensorflow', 'path').ccLibrary;
 */
export function inspectTensorflowDir(dir: string, source: string): TensorflowLibraries {
  const root = resolve(dir);
  if (!existsSync(root)) {
    throw new StrataError('bad-input', `No TensorFlow libraries at ${quote(root)} (from ${source}): the folder does not exist.`, {
      value: root,
      fix: 'point at the tensorflow/ folder of a TensorFlow wheel (pip show -f tensorflow-cpu) or an unpacked libtensorflow archive.',
    });
  }
  if (!existsSync(join(root, 'libtensorflow_cc.so.2')) && existsSync(join(root, 'tensorflow', 'libtensorflow_cc.so.2'))) {
    return inspectTensorflowDir(join(root, 'tensorflow'), source);
  }
  const includeDir = join(root, 'include');
  for (const layout of LAYOUTS) {
    const ccLibrary = join(root, layout.lib, layout.cc);
    const frameworkLibrary = join(root, layout.lib, layout.framework);
    if (!existsSync(ccLibrary) || !existsSync(frameworkLibrary)) continue;
    if (!existsSync(join(includeDir, 'tensorflow', 'c', 'c_api.h'))) {
      throw new StrataError('bad-input', `TensorFlow at ${quote(root)} has its libraries but no C headers (include/tensorflow/c/c_api.h).`, {
        value: root,
        fix: 'reinstall the wheel (pip install --force-reinstall tensorflow-cpu) or use a complete libtensorflow archive.',
      });
    }
    return { dir: root, source, ccLibrary, frameworkLibrary, includeDir, ...wheelFacts(root) };
  }
  throw new StrataError('bad-input', `No TensorFlow libraries in ${quote(root)} (from ${source}).`, {
    value: root,
    fix: 'the folder must hold libtensorflow_cc.so.2 and libtensorflow_framework.so.2 (a TensorFlow wheel\'s tensorflow/ folder) or lib/libtensorflow.so.2 (a libtensorflow archive).',
  });
}

/** Version, distribution and CUDA facts a wheel records beside its libraries. */
function wheelFacts(root: string): Pick<TensorflowLibraries, 'version' | 'distribution' | 'cudaBuild' | 'cudaVersion' | 'cudnnVersion'> {
  let version: string | undefined;
  let distribution: string | undefined;
  if (basename(root) === 'tensorflow') {
    const site = dirname(root);
    for (const entry of safeList(site)) {
      const match = /^(tensorflow(?:[-_](?:cpu|gpu|intel))?)-(\d[^-]*)\.dist-info$/.exec(entry);
      if (match && existsSync(join(site, entry, 'RECORD')) && recordsPackage(join(site, entry, 'RECORD'))) {
        distribution = match[1].replace('_', '-');
        version = match[2];
      }
    }
  }
  const buildInfo = readText(join(root, 'python', 'platform', 'build_info.py'));
  const field = (name: string): string | undefined => new RegExp(`'${name}',\\s*'([^']*)'`).exec(buildInfo)?.[1];
  return {
    version,
    distribution,
    cudaBuild: /'is_cuda_build',\s*True/.test(buildInfo),
    cudaVersion: field('cuda_version'),
    cudnnVersion: field('cudnn_version'),
  };
}

function recordsPackage(record: string): boolean {
  return readText(record).includes('tensorflow/libtensorflow_framework.so.2');
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
