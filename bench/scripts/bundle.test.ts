import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..');

// The bundle is what a GPU machine without npm runs (BUNDLE.md): build it outside the repository
// (no node_modules above it to hide a missing file), and run it there.
describe('the self-contained bundle', () => {
  it('runs from a folder outside the repository, Dawn included', { timeout: 240_000 }, (t) => {
    // Built straight into a temporary folder: a bundle inside the repository would be a second
    // installed copy of tfjs-core there.
    const dir = mkdtempSync(join(tmpdir(), 'strata-bundle-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const build = spawnSync(process.execPath, [join(bench, 'scripts', 'bundle.mjs'), '--out', join(dir, 'strata-bench')], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const bin = join(dir, 'strata-bench', 'bin', 'strata-bench.mjs');
    assert.ok(existsSync(join(dir, 'strata-bench', 'node_modules', 'webgpu', 'package.json')), 'Dawn\'s package is in the bundle');

    const out = join(dir, 'results');
    // One measured step a row: --min-seconds 0 turns off the time every row otherwise gets at
    // least (the run is to show that the bundle works, not to time it).
    const run = spawnSync(
      process.execPath,
      [bin, '--strategies', 'webgpu,wasm', '--peers', 'none', '--models', 'tiny-cnn', '--batch-size', '2', '--image-size', '16', '--steps', '1', '--warmup', '1', '--processes', '1', '--min-seconds', '0', '--out-dir', out],
      { cwd: dir, encoding: 'utf8', timeout: 200_000 },
    );
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as { command: string; rows: { target: string; status: string; reason?: string }[] };
    const row = (target: string) => report.rows.find((r) => r.target === target)!;
    assert.equal(row('wasm').status, 'ok', row('wasm').reason);
    // Without a GPU adapter the webgpu row may be unavailable, but never because Dawn did not load.
    assert.doesNotMatch(row('webgpu').reason ?? '', /does not load/);
    // The table says how it was run: with node and the bundle, not npm.
    assert.match(report.command, /^node strata-bench\/bin\/strata-bench\.mjs --strategies webgpu,wasm/);
    assert.ok(readdirSync(out).some((f) => f.endsWith('.svg')));
  });
});
