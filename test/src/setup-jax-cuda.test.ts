// The setup step for jax's CUDA plugin: on a machine without an NVIDIA driver it installs
// nothing, says why, and does not fail the setup.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const hasNvidia = existsSync('/proc/driver/nvidia/gpus') && readdirSync('/proc/driver/nvidia/gpus').length > 0;

describe('scripts/setup/25-jax-cuda.sh', () => {
  it('without an NVIDIA GPU: skips the plugin, says why, and exits 0', { skip: hasNvidia ? 'this machine has an NVIDIA GPU' : false }, () => {
    const result = spawnSync('bash', ['scripts/setup/25-jax-cuda.sh'], { cwd: root, encoding: 'utf8', env: { ...process.env, STRATA_SETUP_QUIET: '0', PATH: '/usr/bin:/bin' } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /no NVIDIA driver or GPU here: jax's CUDA plugin is not installed/);
  });
});
