// The bundle-size check: builds the page as `npm run browser` does, checks with esbuild's
// metafile that no Node built-in ended up in it, and that the size the READMEs report is the
// size it has now (within 10%).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { bundlePage } from './bundle-page.js';
import { isNodeBuiltin, nodeBuiltinImports } from './node-builtins.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const ROOT_README = fileURLToPath(new URL('../../../../README.md', import.meta.url));

/** The sizes a README line states: `app.js ... N KiB minified, M KiB gzipped`. */
function reportedSizes(path: string): { minified: number; gzipped: number } {
  const match = /app\.js[^\n]*?([\d.]+) KiB minified[^\n]*?([\d.]+) KiB gzipped/.exec(readFileSync(path, 'utf8'));
  assert.ok(match, `${path} states no "app.js ... N KiB minified ... M KiB gzipped" line`);
  return { minified: Number(match[1]), gzipped: Number(match[2]) };
}

describe('the page bundle', () => {
  it('holds no Node built-in, and is the size the READMEs report', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'strata-browser-bundle-'));
    try {
      const bundle = await bundlePage(out);
      const builtins = nodeBuiltinImports(bundle.metafile);
      assert.deepEqual(builtins, [], `Node built-ins in the page bundle:\n${builtins.map((b) => `  ${b.module} (imported by ${b.importer})`).join('\n')}`);
      const code = readFileSync(join(out, 'app.js'));
      assert.equal(code.length, bundle.bytes);
      const minified = code.length / 1024;
      const gzipped = gzipSync(code).length / 1024;
      console.log(`app.js: ${minified.toFixed(0)} KiB minified, ${gzipped.toFixed(0)} KiB gzipped (without the .wasm binaries)`);
      for (const readme of [README, ROOT_README]) {
        const reported = reportedSizes(readme);
        assert.ok(Math.abs(reported.minified - minified) <= 0.1 * minified, `${readme} reports ${reported.minified} KiB minified; the bundle is ${minified.toFixed(0)} KiB: update the line`);
        assert.ok(Math.abs(reported.gzipped - gzipped) <= 0.1 * gzipped, `${readme} reports ${reported.gzipped} KiB gzipped; the bundle is ${gzipped.toFixed(0)} KiB: update the line`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('nodeBuiltinImports', () => {
  it('finds built-ins bundled, left external or under node:, and ignores modules a browser field disabled', () => {
    const metafile = {
      inputs: {
        'src/a.js': { bytes: 1, imports: [{ path: 'node:fs', kind: 'import-statement', external: true }, { path: 'src/b.js', kind: 'import-statement' }] },
        'src/b.js': { bytes: 1, imports: [{ path: '(disabled):fs', kind: 'require-call', original: 'fs' }, { path: 'path', kind: 'import-statement', external: true }] },
      },
      outputs: {},
    } as unknown as Parameters<typeof nodeBuiltinImports>[0];
    assert.deepEqual(nodeBuiltinImports(metafile), [
      { importer: 'src/a.js', module: 'node:fs' },
      { importer: 'src/b.js', module: 'path' },
    ]);
    assert.equal(isNodeBuiltin('fs/promises'), true);
    assert.equal(isNodeBuiltin('@tensorflow/tfjs-core'), false);
  });
});
