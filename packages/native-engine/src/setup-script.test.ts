import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from './native-home.js';
import { tempDir } from './testing/native-fixtures.js';

const root = projectRoot();
const script = join(root, 'scripts', 'setup', '30-native.sh');

function setup(env: Record<string, string>): { code: number | null; err: string } {
  const result = spawnSync('bash', [script], { cwd: root, encoding: 'utf8', env: { ...process.env, STRATA_SETUP_QUIET: '1', ...env } });
  return { code: result.status, err: result.stderr };
}

describe('scripts/setup/30-native.sh', () => {
  it('without TensorFlow libraries: says why, and does not fail the setup', () => {
    const { code, err } = setup({ LIBTENSORFLOW_DIR: join(tempDir('no-tf'), 'nosuch'), STRATA_NATIVE_DIR: tempDir('home'), STRATA_REQUIRE_NATIVE: '0' });
    assert.equal(code, 0);
    assert.match(err, /native TensorFlow engine was not built: no TensorFlow libraries/);
    assert.match(err, /pure JS/);
  });

  it('fails the setup when the engine is required (STRATA_REQUIRE_NATIVE=1)', () => {
    const { code, err } = setup({ LIBTENSORFLOW_DIR: join(tempDir('no-tf'), 'nosuch'), STRATA_NATIVE_DIR: tempDir('home'), STRATA_REQUIRE_NATIVE: '1' });
    assert.equal(code, 1);
    assert.match(err, /was not built/);
  });

  it('STRATA_SKIP_NATIVE=1 skips it', () => {
    assert.equal(setup({ STRATA_SKIP_NATIVE: '1', LIBTENSORFLOW_DIR: '/nosuch' }).code, 0);
  });
});
