#!/usr/bin/env node
// Runs tfjs-core's own kernel tests (its npm package ships them as dist/**/*_test.js) against
// the xla backend of @strata/xla, through a real XLA server started here.
//   node packages/xla/src/testing/conformance/run.mjs [--json out.json] [FILTER...]
// Prints how many passed, failed and were excluded (each exclusion with its reason).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import Jasmine from 'jasmine';
import { EXCLUSIONS } from './exclusions.mjs';
import { SUITES } from './suites.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = resolve(here, '..', '..', '..');
const root = resolve(pkg, '..', '..');
const coreDist = join(root, 'node_modules', '@tensorflow', 'tfjs-core', 'dist');
const python = process.env.STRATA_PYTHON ?? join(root, '.venv', 'bin', 'python');
const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonOut = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const filters = args.filter((_, i) => jsonAt < 0 || (i !== jsonAt && i !== jsonAt + 1));
const suites = filters.length ? SUITES.filter((s) => filters.some((f) => s.includes(f))) : SUITES;

// 1. Bundle: the test files and the backend share one tfjs-core (its ESM dist/index.js). The
// bundle lies two folders below the package, as src/client/ does, so that the client finds
// the protocol file at the same relative path.
const out = join(pkg, '.conformance', 'bundle');
mkdirSync(out, { recursive: true });
const entry = join(out, 'entry.ts');
writeFileSync(entry, [join(here, 'setup.ts'), ...suites.map((s) => join(coreDist, s))].map((f) => `import ${JSON.stringify(f)};`).join('\n'));
await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(out, 'bundle.mjs'),
  plugins: [
    {
      // Every import of tfjs-core, bare or deep, resolves into its ESM dist: one engine.
      name: 'one-tfjs-core',
      setup(build) {
        build.onResolve({ filter: /^@tensorflow\/tfjs-core(\/.*)?$/ }, (a) => ({
          path: a.path === '@tensorflow/tfjs-core' ? join(coreDist, 'index.js') : join(coreDist, '..', a.path.slice('@tensorflow/tfjs-core/'.length)),
        }));
      },
    },
  ],
  external: ['@grpc/grpc-js', '@grpc/proto-loader', 'inversify'],
  ignoreAnnotations: true,
  logLevel: 'error',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

// 2. The real server, on a free port.
const scratch = mkdtempSync(join(tmpdir(), 'strata-conformance-'));
const portFile = join(scratch, 'port');
const server = spawn(python, ['-m', 'strata_xla_server', '--host', '127.0.0.1', '--port', '0', '--port-file', portFile, '--log-level', 'ERROR'], {
  cwd: join(root, 'packages', 'xla-server'),
  env: { ...process.env, PYTHONPATH: join(root, 'packages', 'xla-server', 'src') },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const deadline = Date.now() + 60_000;
while (!existsSync(portFile) || readFileSync(portFile, 'utf8').trim() === '') {
  if (server.exitCode !== null || Date.now() > deadline) throw new Error('the XLA server did not start');
  await new Promise((r) => setTimeout(r, 100));
}
process.env.STRATA_XLA_ADDRESS = `grpc://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;

// 3. Jasmine, with the exclusions filtered out and every result recorded.
const excludedBy = (name) => EXCLUSIONS.find((e) => name.includes(e.pattern));
const results = { passed: [], failed: [], excluded: [] };
const jasmine = new Jasmine({ projectBaseDir: out });
jasmine.exitOnCompletion = false;
jasmine.env.configure({ random: false, specFilter: (spec) => {
  const e = excludedBy(spec.getFullName());
  if (e) results.excluded.push({ name: spec.getFullName(), reason: e.reason });
  return !e;
} });
jasmine.env.clearReporters();
jasmine.env.addReporter({
  specDone: (r) => {
    if (r.status === 'passed') results.passed.push(r.fullName);
    else if (r.status === 'failed') results.failed.push({ name: r.fullName, error: (r.failedExpectations[0]?.message ?? '').split('\n')[0].slice(0, 300) });
  },
});
let exit = 0;
try {
  await jasmine.execute([join(out, 'bundle.mjs')]);
} catch (e) {
  console.error(e);
  exit = 1;
} finally {
  await globalThis.strataStrategy?.teardown();
  server.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}
for (const f of results.failed) console.log(`FAIL ${f.name}\n     ${f.error}`);
const reasons = new Map();
for (const e of results.excluded) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
for (const [reason, n] of reasons) console.log(`excluded ${n}: ${reason}`);
console.log(`tfjs-core tests on xla: ${results.passed.length} passed, ${results.failed.length} failed, ${results.excluded.length} excluded (${suites.length} suites)`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
process.exit(exit || (results.failed.length ? 1 : 0));
