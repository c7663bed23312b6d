#!/usr/bin/env node
// Runs every TypeScript test file (node:test through tsx) and the Python tests of the XLA
// server, then prints one closing line "N passed, N failed, N skipped" over both.
//   node scripts/run-tests.mjs                 all tests
//   node scripts/run-tests.mjs --package DIR   the tests of one package
//   node scripts/run-tests.mjs FILTER...       only test files whose path contains a FILTER
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const packageIndex = args.indexOf('--package');
const packageDir = packageIndex >= 0 ? resolve(args[packageIndex + 1]) : undefined;
const filters = args.filter((_, i) => packageIndex < 0 || (i !== packageIndex && i !== packageIndex + 1));

function findTests(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const searchRoots = packageDir
  ? [packageDir]
  : ['packages', 'examples', 'bench', 'test'].map((d) => join(root, d)).filter(existsSync);
let files = searchRoots.flatMap((d) => findTests(d)).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));

const totals = { passed: 0, failed: 0, skipped: 0 };
let exitCode = 0;

// The XLA server's own tests, when its environment exists (scripts/setup.sh makes it). They
// start first and run beside the TypeScript tests (a second process on a second core); their
// output is printed after the TypeScript tests' so that neither interleaves with the other.
const python = join(root, '.venv', 'bin', 'python');
const serverTests = join(root, 'packages', 'xla-server', 'tests');
const wantServer = !packageDir || packageDir === join(root, 'packages', 'xla-server');
let serverRun;
if (wantServer && filters.length === 0 && existsSync(serverTests)) {
  if (!existsSync(python)) {
    console.log('xla-server tests skipped: no .venv (run: bash scripts/setup.sh)');
  } else {
    // Its output goes to a file: the TypeScript run below blocks this process, so a pipe would
    // fill and stall pytest.
    const log = join(mkdtempSync(join(tmpdir(), 'strata-server-tests-')), 'pytest.log');
    const fd = openSync(log, 'w');
    const child = spawn(python, ['-m', 'pytest', '-q', '-rs', 'tests'], {
      cwd: join(root, 'packages', 'xla-server'),
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    serverRun = new Promise((resolveRun) => {
      child.on('error', (error) => resolveRun({ status: 1, output: `${error.message}\n` }));
      child.on('close', (status) => resolveRun({ status, output: readFileSync(log, 'utf8') }));
    });
  }
}

if (files.length > 0) {
  const tap = join(mkdtempSync(join(tmpdir(), 'strata-tests-')), 'report.tap');
  const result = spawnSync(
    process.execPath,
    [
      '--import', 'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...files.map((f) => relative(root, f)),
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=8192' } },
  );
  if (result.status !== 0) exitCode = 1;
  const report = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (name) => Number((report.match(new RegExp(`^# ${name} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  totals.passed += count('pass');
  totals.failed += count('fail') + count('cancelled');
  // Node's summary counts skipped tests but not skipped suites (a strategy whose hardware is
  // absent): count every "# SKIP" directive instead.
  const skipDirectives = (report.match(/^\s*ok \d+ - .* # SKIP/gm) ?? []).length;
  totals.skipped += Math.max(count('skipped'), skipDirectives) + count('todo');
}

if (serverRun) {
  const result = await serverRun;
  process.stdout.write(result.output);
  const summary = result.output.trim().split('\n').pop() ?? '';
  const n = (word) => Number((summary.match(new RegExp(`(\\d+) ${word}`)) ?? [])[1] ?? 0);
  totals.passed += n('passed');
  totals.failed += n('failed') + n('error');
  totals.skipped += n('skipped');
  // pytest exits 5 when it collected nothing: not a failure of ours.
  if (result.status !== 0 && result.status !== 5) exitCode = 1;
}

if (exitCode !== 0 && totals.failed === 0) totals.failed = 1;
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(exitCode);
