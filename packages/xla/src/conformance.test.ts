// tfjs-core's own kernel tests on the xla backend: a representative subset on every test run
// (the full list of suites is `npm run conformance -w @strata/xla`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverSkipReason } from './testing/server-process.js';

const SUBSET = ['ops/add_test', 'ops/conv2d_test', 'ops/mat_mul_test', 'ops/relu_test', 'ops/max_pool_test', 'ops/batchnorm_test', 'gradients_test'];

test('tfjs-core kernel tests (subset) pass on the xla backend', { skip: serverSkipReason(), timeout: 300_000 }, () => {
  const run = spawnSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'testing', 'conformance', 'run.mjs'), ...SUBSET], { encoding: 'utf8' });
  const summary = /tfjs-core tests on xla: (\d+) passed, (\d+) failed, (\d+) excluded/.exec(run.stdout);
  assert.ok(summary, `no summary line:\n${run.stdout}\n${run.stderr}`);
  const [, passed, failed] = summary.map(Number);
  assert.equal(failed, 0, run.stdout);
  assert.ok(passed >= 250, `only ${passed} passed:\n${run.stdout}`);
  assert.equal(run.status, 0, run.stderr);
});
