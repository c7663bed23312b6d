// The checks the pack-and-install test applies to each tarball, each shown failing on a package
// made to break it.
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asProgram, swapStrategy, trainerStrategyLines, trainingImportLine, typescriptBlocks } from './readme-examples.js';
import { sideEffectModules } from './side-effect-modules.js';
import { unreachableSources } from './source-maps.js';

const dir = mkdtempSync(join(tmpdir(), 'strata-packaging-checks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes files (path inside the package: text) under a new package folder; returns it. */
function fakePackage(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('sideEffectModules', () => {
  const pkg = fakePackage('effects', {
    'dist/index.js': "export * from './module.js';\nexport { helper } from './pure.js';\n",
    'dist/module.js': "import { registerBackend } from '@strata/core';\nconst m = {};\nregisterBackend('x', async () => m);\nexport default m;\n",
    'dist/pure.js': "var Kind;\n(function (Kind2) { Kind2['A'] = 'a'; Kind2[Kind2['B'] = 1] = 'B'; })(Kind || (Kind = {}));\nexport function helper() { return Kind; }\nexport class Box { static made = new Map(); }\n",
    'dist/bare.js': "import '@tensorflow/tfjs-backend-cpu';\n",
    'dist/patch.js': 'var Cfg;\n(function (Cfg2) { globalThis.flag = true; })(Cfg || (Cfg = {}));\n',
    'dist/static-block.js': 'export class Registry { static { globalThis.registry = this; } }\n',
  });
  const files = ['./dist/index.js', './dist/module.js', './dist/pure.js', './dist/bare.js', './dist/patch.js', './dist/static-block.js'];

  it('finds top-level calls, bare imports, static blocks, and the modules importing them; not declarations or compiled enums', () => {
    const found = sideEffectModules(pkg, files);
    assert.deepEqual(found.map((m) => m.path), ['./dist/bare.js', './dist/index.js', './dist/module.js', './dist/patch.js', './dist/static-block.js']);
    assert.match(found.find((m) => m.path === './dist/module.js')!.reasons[0]!, /^registerBackend\('x'.* \(line 3\)$/);
    assert.deepEqual(found.find((m) => m.path === './dist/index.js')!.reasons, ['imports ./dist/module.js']);
    assert.deepEqual(found.find((m) => m.path === './dist/bare.js')!.reasons, ["import '@tensorflow/tfjs-backend-cpu' (line 1)"]);
  });
});

describe('unreachableSources', () => {
  const pkg = fakePackage('maps', {
    'src/a.ts': 'export const a = 1;\n',
    'dist/a.js.map': JSON.stringify({ version: 3, sources: ['../src/a.ts'], mappings: '' }),
    'dist/b.js.map': JSON.stringify({ version: 3, sources: ['../src/b.ts'], mappings: '' }),
    'dist/c.js.map': JSON.stringify({ version: 3, sources: ['../src/c.ts'], sourcesContent: ['export const c = 3;\n'], mappings: '' }),
    'dist/d.js.map': JSON.stringify({ version: 3, sourceRoot: '../src', sources: ['a.ts', 'webpack://x/d.ts'], mappings: '' }),
  });

  it('reports each source that is neither shipped nor inlined, URLs included', () => {
    const problems = unreachableSources(pkg, ['src/a.ts', 'dist/a.js.map', 'dist/b.js.map', 'dist/c.js.map', 'dist/d.js.map']);
    assert.deepEqual(problems, ['dist/b.js.map: source ../src/b.ts (src/b.ts) is not in the package', 'dist/d.js.map: source webpack://x/d.ts is a URL, not a file in the package']);
  });

  it('reports a source on disk that the package does not ship', () => {
    assert.deepEqual(unreachableSources(pkg, ['dist/a.js.map']), ['dist/a.js.map: source ../src/a.ts (src/a.ts) is not in the package']);
  });
});

describe('README examples', () => {
  const readme = [
    '## Swap',
    '```ts',
    "import '@strata/strategies';",
    "const trainer = new Trainer({ strategy: 'cpu', maxEpochs: 10 });   // or 'wasm'",
    '```',
    '```sh',
    'npm run quickstart',
    '```',
    '## Model',
    '```ts',
    "import { Trainer } from '@strata/training';",
    "const trainer = new Trainer({ strategy: 'cpu', maxEpochs: 1 });",
    '```',
    '## Other',
    '```ts',
    'const other = 1;',
    '```',
  ].join('\n');

  it('takes the ts blocks of one section only', () => {
    assert.deepEqual(typescriptBlocks(readme, 'Model'), ["import { Trainer } from '@strata/training';\nconst trainer = new Trainer({ strategy: 'cpu', maxEpochs: 1 });\n"]);
    assert.equal(typescriptBlocks(readme, 'Swap').length, 1);
    assert.throws(() => typescriptBlocks(readme, 'Missing'), /no section "## Missing"/);
  });

  it("switches the one Trainer line from 'cpu' to 'wasm', and refuses when there is not exactly one", () => {
    const [model] = typescriptBlocks(readme, 'Model');
    assert.match(swapStrategy(model!, 'cpu', 'wasm'), /^const trainer = new Trainer\(\{ strategy: 'wasm', maxEpochs: 1 \}\);$/m);
    assert.equal(trainerStrategyLines(swapStrategy(model!, 'cpu', 'wasm'), 'cpu').length, 0);
    assert.throws(() => swapStrategy(`${model}${model}`, 'cpu', 'wasm'), /exactly one line .* found 2/);
    assert.throws(() => swapStrategy('const x = 1;\n', 'cpu', 'wasm'), /found 0/);
  });

  it('completes a fragment that uses Trainer with the import line of the complete program, and leaves a complete block alone', () => {
    const [swap] = typescriptBlocks(readme, 'Swap');
    const [model] = typescriptBlocks(readme, 'Model');
    const line = trainingImportLine(model!);
    assert.equal(asProgram(swap!, line), `${line}\n${swap}`);
    assert.equal(asProgram(model!, line), model);
    assert.equal(asProgram('const other = 1;\n', line), 'const other = 1;\n');
  });
});
