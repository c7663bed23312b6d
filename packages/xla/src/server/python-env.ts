import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XLA_SERVER_MODULE, XLA_SERVER_NEEDS } from '../client/server-start-hint.js';

// The repository root when running from the workspace: packages/xla/{src,dist}/server/ -> ../../../..
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const WORKSPACE_SERVER_SRC = join(REPO_ROOT, 'packages', 'xla-server', 'src');

/** The jax release Strata's XLA server is tested with (it accepts >= 0.10.2, < 0.12). */
export const SERVER_JAX_VERSION = '0.10.2';

/** What a Python environment needs to run a local server, for remedies. */
const SERVER_DESCRIPTION = `Strata's XLA server (the Python module ${XLA_SERVER_MODULE}, package strata-xla-server) with ${XLA_SERVER_NEEDS}`;

/** What a Python environment holds for the XLA server, read from its files (nothing imported). */
export interface ServerPythonEnv {
  /** The Python as given: a path, or a command looked up on PATH. */
  readonly python: string;
  /** Its path, or undefined when there is no such executable. */
  readonly executable: string | undefined;
  /** The site-packages folders looked in. */
  readonly sitePackages: readonly string[];
  /** Every top-level name in them: modules, packages, `*.dist-info` folders. */
  readonly entries: readonly string[];
  /** The PJRT plugins jax would find (the folders of `jax_plugins/`, e.g. 'xla_cuda12'). */
  readonly jaxPlugins: readonly string[];
  /** The installed jax's version, from its dist-info folder. */
  readonly jaxVersion: string | undefined;
  /** Where `strata_xla_server` comes from: installed in the environment, or the workspace's source. */
  readonly server: 'installed' | 'workspace' | undefined;
}

/** The server's source folder when running from the Strata workspace (put on PYTHONPATH), else undefined. */
export function workspaceServerSource(): string | undefined {
  return existsSync(join(WORKSPACE_SERVER_SRC, 'strata_xla_server')) ? WORKSPACE_SERVER_SRC : undefined;
}

/** The Python that runs a local server: `STRATA_PYTHON`, else the workspace's `.venv`, else `python3` on PATH. */
export function defaultServerPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STRATA_PYTHON) return env.STRATA_PYTHON;
  const venv = join(REPO_ROOT, '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

const cache = new Map<string, ServerPythonEnv>();

/**
 * Reads what `python`'s environment holds without importing anything: its site-packages are
 * found from the executable's prefix (a venv, conda or /usr/local layout); where that finds
 * no jax, the interpreter is asked once for its `sys.path` (no import beyond `site`).
 * Answers are kept per Python for the life of the process.
 *
 * @example
 * const env = inspectServerPython(defaultServerPython());
 * if (!env.jaxPlugins.some((p) => p.startsWith('xla_cuda'))) console.log('no CUDA plugin');
 */
export function inspectServerPython(python: string): ServerPythonEnv {
  const cached = cache.get(python);
  if (cached) return cached;
  const executable = findExecutable(python);
  let sitePackages = executable ? guessSitePackages(executable) : [];
  let entries = listAll(sitePackages);
  if (executable && !entries.some(isJaxDistInfo)) {
    sitePackages = askSysPath(executable) ?? sitePackages;
    entries = listAll(sitePackages);
  }
  const jaxDist = entries.find(isJaxDistInfo);
  const report: ServerPythonEnv = {
    python,
    executable,
    sitePackages,
    entries,
    jaxPlugins: listAll(sitePackages.map((dir) => join(dir, 'jax_plugins'))),
    jaxVersion: jaxDist ? /^jax-(.+)\.dist-info$/.exec(jaxDist)![1] : undefined,
    server: entries.some((e) => e === 'strata_xla_server' || /^strata_xla_server-.*\.dist-info$/.test(e))
      ? 'installed'
      : workspaceServerSource()
        ? 'workspace'
        : undefined,
  };
  cache.set(python, report);
  return report;
}

/**
 * Why a local server cannot run on `python` (what is missing, with the remedy), or undefined
 * when its environment has jax and the server package.
 */
export function serverPythonProblem(env: ServerPythonEnv): { reason: string; remedy: string } | undefined {
  if (env.executable === undefined) {
    return {
      reason: `no Python at ${env.python} to run the XLA server`,
      remedy: `use a Python environment that holds ${SERVER_DESCRIPTION}, and pass its python (the strategy's python option) or set STRATA_PYTHON.`,
    };
  }
  if (env.jaxVersion === undefined) {
    return {
      reason: `jax is not installed in the Python environment of ${env.python}`,
      remedy: `install ${SERVER_DESCRIPTION} in that environment; or point STRATA_PYTHON at a Python that has them.`,
    };
  }
  if (env.server === undefined) {
    return {
      reason: `Strata's XLA server (the Python module ${XLA_SERVER_MODULE}) is not installed in the Python environment of ${env.python}`,
      remedy: `install ${SERVER_DESCRIPTION} in that environment; or point STRATA_PYTHON at a Python that has them.`,
    };
  }
  return undefined;
}

function isJaxDistInfo(entry: string): boolean {
  return /^jax-[\d.]+.*\.dist-info$/.test(entry);
}

function findExecutable(python: string): string | undefined {
  if (isAbsolute(python) || python.includes('/')) return existsSync(python) ? python : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, python);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** site-packages of the usual layouts under the executable's prefix, and the user's own. */
function guessSitePackages(executable: string): string[] {
  // Not resolved through symlinks: a venv's bin/python links to the base interpreter.
  const prefix = dirname(dirname(executable));
  const dirs: string[] = [];
  for (const lib of [join(prefix, 'lib'), join(prefix, 'lib64'), join(homedir(), '.local', 'lib')]) {
    for (const version of listDir(lib).filter((name) => /^python3(\.\d+)?$/.test(name))) {
      for (const leaf of ['site-packages', 'dist-packages']) {
        const dir = join(lib, version, leaf);
        if (existsSync(dir)) dirs.push(dir);
      }
    }
  }
  return dirs;
}

/** The interpreter's own import path, for layouts the guess misses; undefined when it cannot be run. */
function askSysPath(executable: string): string[] | undefined {
  const result = spawnSync(executable, ['-c', 'import json, sys; print(json.dumps([p for p in sys.path if p]))'], {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (result.status !== 0) return undefined;
  try {
    return (JSON.parse(result.stdout) as string[]).filter((dir) => existsSync(dir) && !dir.endsWith('.zip'));
  } catch {
    return undefined;
  }
}

function listAll(dirs: readonly string[]): string[] {
  return [...new Set(dirs.flatMap(listDir))].sort();
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
