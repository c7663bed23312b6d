// The repository's import rules (scripts/lint/dependency-rules.cjs, checked by dependency-cruiser):
// the whole tree obeys them, and each rule fails on a new violation.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rules = join(root, 'scripts', 'lint', 'dependency-rules.cjs');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');

/** The source folders (not built output) of packages/*, examples/*, bench and test. */
function sourceRoots(): string[] {
  const workspaces = ['packages', 'examples'].flatMap((group) => readdirSync(join(root, group)).map((name) => `${group}/${name}`));
  const folders = ['src', 'scripts', 'bench', 'conformance'];
  return [...workspaces, 'bench', 'test'].flatMap((ws) => folders.map((f) => `${ws}/${f}`)).filter((dir) => existsSync(join(root, dir)));
}

/** The rule names dependency-cruiser reports for `roots`, run from `cwd`, and its whole output. */
function violations(cwd: string, roots: readonly string[]): { names: string[]; output: string } {
  const run = spawnSync(depcruise, ['--config', rules, '--output-type', 'err', ...roots], { cwd, encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  const names = [...output.matchAll(/^\s*error ([a-z-]+):/gm)].map((m) => m[1]!);
  if (run.status !== 0 && names.length === 0) throw new Error(`depcruise failed (exit ${run.status}):\n${output}`);
  return { names, output };
}

describe('import rules', () => {
  it('hold over every workspace: no circle (type-only included), no import across workspaces but by package name and declared exports', () => {
    const { names, output } = violations(root, sourceRoots());
    assert.deepEqual(names, [], output);
  });

  describe('catch a new violation', () => {
    const fixture = mkdtempSync(join(tmpdir(), 'strata-import-rules-'));
    after(() => rmSync(fixture, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(fixture, path)), { recursive: true });
      writeFileSync(join(fixture, path), text);
    };
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
    write('packages/a/src/left.ts', "import type { Right } from './right.js';\nexport interface Left { right?: Right }\n");
    write('packages/a/src/right.ts', "import type { Left } from './left.js';\nexport interface Right { left?: Left }\n");
    write('packages/a/src/reach.ts', "export { b } from '../../b/src/b.js';\n");
    write('packages/a/src/up.ts', "export { t } from '../../../test/src/t.js';\n");
    write('packages/b/src/b.ts', 'export const b = 1;\n');
    write('test/src/t.ts', 'export const t = 1;\n');

    it('a type-only circle', () => {
      assert.ok(violations(fixture, ['packages/a/src']).names.includes('no-circular'));
    });
    it("a relative import of another package's src/", () => {
      assert.ok(violations(fixture, ['packages/a/src']).names.includes('no-relative-import-across-workspaces'));
    });
    it('a package importing test/', () => {
      assert.ok(violations(fixture, ['packages/a/src']).names.includes('packages-stay-below-bench-test-examples'));
    });
  });
});
