import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeEngineStatus } from '../native-engine.js';
import { projectRoot } from '../native-home.js';
import { tempDir } from '../testing/native-fixtures.js';

const cli = fileURLToPath(new URL('./strata-native.ts', import.meta.url));
const built = nativeEngineStatus('cpu');

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: projectRoot(), encoding: 'utf8', env: { ...process.env, LIBTENSORFLOW_DIR: '' } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('strata-native', () => {
  it('status: exit 1 with the reason and the fix where nothing is built', () => {
    const { code, out } = run('status', '--dir', tempDir('cli-home'));
    assert.equal(code, 1);
    assert.match(out, /cpu engine absent: no cpu native engine is built/);
    assert.match(out, /Fix: build it: npx strata-native build/);
  });

  it('status --json: the manifest of a built engine', { skip: built.state === 'ready' ? false : 'no native engine built' }, () => {
    const { code, out } = run('status', '--json');
    assert.equal(code, 0);
    const status = JSON.parse(out) as { state: string; manifest: { tfjsNode: string; tensorflow: { version: string } } };
    assert.equal(status.state, 'ready');
    assert.equal(status.manifest.tfjsNode, '4.22.0');
    assert.match(status.manifest.tensorflow.version, /^2\./);
  });

  it('build: a missing --libtensorflow folder fails at once, naming it', () => {
    const home = tempDir('cli-home');
    const { code, err } = run('build', '--libtensorflow', join(home, 'nosuch'), '--dir', home);
    assert.equal(code, 1);
    assert.ok(err.includes(JSON.stringify(join(home, 'nosuch'))), err);
    assert.match(err, /does not exist/);
  });

  it('rejects a bad --jobs and an unknown command', () => {
    assert.match(run('build', '--jobs', 'many').err, /Invalid option --jobs: received "many"/);
    const unknown = run('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command "frobnicate"/);
  });
});
