// Each file that a package's `browser` map swaps for a browser twin: the twin exists, exports
// the same names as the Node file (so the package's code runs against either), and importing it
// touches no browser API (both twins load in Node; what they do is checked where they run). The
// map names each pair twice, built (dist/, for users' bundles) and as source (src/, for bundles
// of the TypeScript sources, as the browser tests make).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = ['training', 'vision', 'backend-wasm', 'backend-webgpu'];

/** The TypeScript source a dist path was built from: './dist/a/b.js' => './src/a/b.ts'. */
function sourceOf(distPath: string): string {
  return distPath.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts');
}

for (const name of PACKAGES) {
  const dir = join(root, 'packages', name);
  const map = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { browser?: Record<string, string> }).browser ?? {};
  describe(`@strata/${name}'s browser twins`, () => {
    const built = Object.entries(map).filter(([from]) => from.startsWith('./dist/'));
    it('has a browser map with at least one twin, each built and as source', () => {
      assert.ok(built.length > 0, `packages/${name}/package.json has no "browser" map`);
      const expected = Object.fromEntries([...built, ...built.map(([from, to]) => [from.replace(/^\.\/dist\//, './src/'), sourceOf(to)])]);
      assert.deepEqual(map, expected);
    });
    for (const [nodeFile, browserFile] of built) {
      it(`${browserFile} stands in for ${nodeFile} with the same exports`, async () => {
        const nodeSource = join(dir, sourceOf(nodeFile));
        const browserSource = join(dir, sourceOf(browserFile));
        assert.ok(existsSync(nodeSource), `${nodeSource} does not exist`);
        assert.ok(existsSync(browserSource), `${browserSource} does not exist`);
        assert.equal(browserFile, nodeFile.replace(/\.js$/, '.browser.js'), 'a browser twin is named <node file>.browser.js');
        const nodeExports = Object.keys((await import(pathToFileURL(nodeSource).href)) as object).sort();
        const browserExports = Object.keys((await import(pathToFileURL(browserSource).href)) as object).sort();
        assert.ok(nodeExports.length > 0, `${nodeSource} exports nothing`);
        assert.deepEqual(browserExports, nodeExports);
      });
    }
  });
}
