// Messages of the library packages speak to library users: no string a package builds (the
// files of packages/*/tsconfig.json) names this repository's scripts or folders, runs one of
// its npm scripts, or gives an example CLI's flag as the way to choose a strategy. Only string
// literals are read: comments may cite the repository. Tests and test data are not built, so
// they are not read.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { stringLiterals } from './packaging/string-literals.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What a library message must not say, and what it says instead. */
const FORBIDDEN: readonly { readonly pattern: RegExp; readonly instead: string }[] = [
  { pattern: /scripts\/setup|setup\.sh/, instead: 'the command that does the step (apt-get, pip, npx strata-native build)' },
  { pattern: /packages\/xla-server/, instead: "the server's Python module: python -m strata_xla_server" },
  { pattern: /\bnpm run /, instead: 'what to install or rebuild, in package terms' },
  { pattern: /\bturbo run\b/, instead: 'what to install or rebuild, in package terms' },
  { pattern: /--strategy\b/, instead: "new Trainer({ strategy: 'cpu' }) or STRATA_STRATEGY=cpu" },
];

/** The TypeScript sources a package builds into its dist/ (its tsconfig's files: no tests, no test data). */
function shippedSources(packageDir: string): string[] {
  const config = join(packageDir, 'tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) });
  assert.ok(parsed, `cannot read ${config}`);
  return parsed.fileNames.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
}

/** Every string literal among `files` that matches a forbidden pattern, as 'path:line: text'. */
function repositoryReferences(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    for (const { line, text } of stringLiterals(readFileSync(file, 'utf8'), file)) {
      const rule = FORBIDDEN.find(({ pattern }) => pattern.test(text));
      if (rule) found.push(`${relative(root, file)}:${line}: ${JSON.stringify(text.slice(0, 120))} (say instead: ${rule.instead})`);
    }
  }
  return found;
}

describe('library messages', () => {
  const packages = readdirSync(join(root, 'packages')).filter((name) => existsSync(join(root, 'packages', name, 'tsconfig.json')));
  const files = packages.flatMap((name) => shippedSources(join(root, 'packages', name)));

  it('read the TypeScript sources of every package', () => {
    assert.ok(packages.includes('core') && packages.includes('xla') && packages.includes('backend-webgpu'), packages.join(', '));
    assert.ok(files.length > 100, `only ${files.length} files`);
    assert.ok(!files.some((file) => file.endsWith('.test.ts')), 'tests are not built');
  });

  it('name none of the repository\'s scripts, folders or npm scripts, nor an example CLI flag', () => {
    assert.deepEqual(repositoryReferences(files), []);
  });

  it('the check reads string and template literals, and not comments', () => {
    const sample = [
      '// run bash scripts/setup.sh first (a comment may say so)',
      "const a = 'see packages/xla-server';",
      'const b = `train with --strategy ${name} or npm run train`;',
      '/* npm run build */ const c = "fine";',
    ].join('\n');
    const texts = stringLiterals(sample, 'sample.ts');
    assert.deepEqual(texts.map((t) => t.line), [2, 3, 3, 4]);
    const hits = texts.filter(({ text }) => FORBIDDEN.some(({ pattern }) => pattern.test(text)));
    assert.deepEqual(hits.map((t) => t.line), [2, 3, 3]);
  });
});
