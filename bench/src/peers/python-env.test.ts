import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { preparePythonEnv } from './python-env.js';

/** A folder with requirements.txt and a stand-in `bin/python` (a shell script) in venv/. */
function fixture(stamp: 'match' | 'stale' | 'none') {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-pyenv-'));
  const requirements = join(dir, 'requirements.txt');
  writeFileSync(requirements, 'torch==2.13.0\n');
  const venv = join(dir, 'venv');
  mkdirSync(join(venv, 'bin'), { recursive: true });
  writeFileSync(join(venv, 'bin', 'python'), '#!/bin/sh\necho\n');
  chmodSync(join(venv, 'bin', 'python'), 0o755);
  const want = createHash('sha256').update('torch==2.13.0\n').digest('hex').slice(0, 16);
  if (stamp !== 'none') writeFileSync(join(venv, '.strata-bench-requirements'), stamp === 'match' ? want : 'old');
  return { requirements, venv };
}

describe('preparePythonEnv', () => {
  it('uses the bench environment when its stamp matches the requirements', () => {
    const { requirements, venv } = fixture('match');
    const env = preparePythonEnv({ venvDir: venv, requirements, allowSetup: false, log: () => undefined });
    assert.deepEqual(env, { ok: true, python: join(venv, 'bin', 'python'), source: venv });
  });

  it('uses an explicit interpreter as given, and says when it does not run', () => {
    const { requirements, venv } = fixture('none');
    const fake = join(venv, 'bin', 'python');
    const given = preparePythonEnv({ explicit: fake, venvDir: venv, requirements, allowSetup: false, log: () => undefined });
    assert.equal(given.ok && given.python, fake);
    const missing = preparePythonEnv({ explicit: '/nonexistent/python3', venvDir: venv, requirements, allowSetup: false, log: () => undefined });
    assert.deepEqual(missing, { ok: false, reason: '/nonexistent/python3 does not run' });
  });

  it('never sets up a stale environment when told not to, and says so', () => {
    const { requirements, venv } = fixture('stale');
    const env = preparePythonEnv({ venvDir: venv, requirements, allowSetup: false, log: () => undefined });
    if (env.ok) {
      // Only a system python3 that already has torch, lightning and jax may stand in.
      assert.match(env.source, /^system /);
    } else {
      assert.match(env.reason, /missing or stale and --no-python-setup was given|no python3 on PATH/);
    }
  });
});
