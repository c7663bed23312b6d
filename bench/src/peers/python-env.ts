import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Python the peers run with, or why they are skipped. */
export type PeerPython =
  | { readonly ok: true; readonly python: string; readonly source: string }
  | { readonly ok: false; readonly reason: string };

export interface PythonEnvOptions {
  /** An interpreter to use as is (--python, or $STRATA_BENCH_PYTHON). */
  readonly explicit?: string;
  /** Where the bench's own environment lives. */
  readonly venvDir: string;
  /** The pinned requirements (bench/python/requirements.txt). */
  readonly requirements: string;
  /** False: never create or update the environment (--no-python-setup). */
  readonly allowSetup: boolean;
  readonly log: (line: string) => void;
}

const PEER_MODULES = ['torch', 'pytorch_lightning', 'jax'];
const STAMP = '.strata-bench-requirements';

/**
 * Finds or makes the Python the peers run with, in this order: an explicit interpreter; the
 * bench's environment when its stamp matches the requirements; a system python3 that already
 * imports torch, pytorch_lightning and jax (a GPU box set up by hand); else a new environment
 * made with venv and pip from PyPI. Never throws: without Python the answer says why.
 */
export function preparePythonEnv(options: PythonEnvOptions): PeerPython {
  if (options.explicit) {
    const missing = missingModules(options.explicit);
    if (missing === undefined) return { ok: false, reason: `${options.explicit} does not run` };
    return { ok: true, python: options.explicit, source: `given (${missing.length ? `lacks ${missing.join(', ')}` : 'has torch, lightning, jax'})` };
  }
  const venvPython = join(options.venvDir, 'bin', 'python');
  const want = hash(readFileSync(options.requirements, 'utf8'));
  const stampPath = join(options.venvDir, STAMP);
  if (existsSync(venvPython) && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === want) {
    return { ok: true, python: venvPython, source: options.venvDir };
  }
  const system = ['python3', 'python'].find((p) => missingModules(p) !== undefined);
  if (!system) return { ok: false, reason: 'no python3 on PATH (install Python >= 3.10 to run the PyTorch Lightning and jax peers)' };
  if (missingModules(system)?.length === 0) return { ok: true, python: system, source: `system ${system} (has torch, lightning, jax)` };
  if (!options.allowSetup) {
    return { ok: false, reason: `the peers' environment ${options.venvDir} is missing or stale and --no-python-setup was given` };
  }
  options.log(`setting up the peers' Python environment in ${options.venvDir} (torch, pytorch-lightning, jax from PyPI; about 5 GB, a few minutes the first time)`);
  if (!existsSync(venvPython)) {
    const made = spawnSync(system, ['-m', 'venv', options.venvDir], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (made.status !== 0) return { ok: false, reason: `${system} -m venv ${options.venvDir} failed (on Debian: apt-get install python3-venv)` };
  }
  const pip = spawnSync(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '--quiet', '-r', options.requirements], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (pip.status !== 0) return { ok: false, reason: `pip install -r ${options.requirements} failed (exit ${pip.status}); see the output above` };
  writeFileSync(stampPath, want);
  return { ok: true, python: venvPython, source: `${options.venvDir} (just set up)` };
}

/** The peer modules `python` cannot import, or undefined when `python` does not run at all. */
function missingModules(python: string): string[] | undefined {
  const code = `import importlib.util as u; print(",".join(m for m in ${JSON.stringify(PEER_MODULES)} if u.find_spec(m) is None))`;
  const result = spawnSync(python, ['-c', code], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0 || result.error) return undefined;
  const out = result.stdout.trim();
  return out === '' ? [] : out.split(',');
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
